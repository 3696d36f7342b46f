{#-
    The UTC instant of a wall-clock time (a timestamp without time zone) in an IANA time
    zone, DST-correct, as a timestamp with time zone: the inverse of to_local_timestamp.
    A wall-clock time that does not exist (clocks going forward) or exists twice (clocks
    going back) is resolved by the engine; see DECISIONS.md, "ServiceNow local times".
-#}
{% macro from_local_timestamp(ts, tz_column) -%}
    {{ return(adapter.dispatch('from_local_timestamp', 'xla_warehouse')(ts, tz_column)) }}
{%- endmacro %}

{% macro default__from_local_timestamp(ts, tz_column) -%}
    ({{ ts }} at time zone {{ tz_column }})
{%- endmacro %}

{% macro duckdb__from_local_timestamp(ts, tz_column) -%}
    timezone({{ tz_column }}, {{ ts }})
{%- endmacro %}
