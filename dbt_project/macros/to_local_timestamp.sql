{#-
    The wall-clock time of a UTC instant in an IANA time zone (DST-correct), as a
    timestamp without time zone. Engine-specific, hence dispatched.
-#}
{% macro to_local_timestamp(ts, tz_column) -%}
    {{ return(adapter.dispatch('to_local_timestamp', 'xla_warehouse')(ts, tz_column)) }}
{%- endmacro %}

{% macro default__to_local_timestamp(ts, tz_column) -%}
    ({{ ts }} at time zone {{ tz_column }})
{%- endmacro %}

{% macro duckdb__to_local_timestamp(ts, tz_column) -%}
    timezone({{ tz_column }}, {{ ts }})
{%- endmacro %}

{#- Spark keeps instants in the session zone (UTC): the wall clock is a shifted instant. -#}
{% macro spark__to_local_timestamp(ts, tz_column) -%}
    from_utc_timestamp({{ ts }}, {{ tz_column }})
{%- endmacro %}
