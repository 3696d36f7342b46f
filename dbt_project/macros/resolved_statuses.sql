{#-
    The statuses in which a ticket counts as resolved (docs/contract.md §2), as a SQL list for
    `in (...)`. One definition for open/closed, reopens and SLA clocks.
-#}
{% macro resolved_statuses() -%}
    'Resolved', 'Closed'
{%- endmacro %}
