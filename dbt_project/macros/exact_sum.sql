{#-
    The sum of a fractional column, the same whatever order the rows are added in.

    Floating-point addition is not associative, and a parallel engine adds rows in no
    fixed order: two builds of the same rows could differ in the last bits of a sum of
    hours. Each value is taken to 10 decimal places and summed as an exact decimal, then
    returned as a double.

    expression: SQL expression of the values to sum.
-#}
{% macro exact_sum(expression) -%}
    cast(sum(cast({{ expression }} as decimal(38, 10))) as double)
{%- endmacro %}
