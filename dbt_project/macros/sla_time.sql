{#-
    Instants as whole minutes since 1970-01-01 UTC, the unit of every SLA clock, and the
    other engine-specific pieces the business-minute calendar needs. Dispatched; the
    models that use them stay the same text on every engine.
-#}

{#- Minutes since the epoch of a timestamp with time zone, truncated to the minute. -#}
{% macro epoch_minute(ts) -%}
    {{ return(adapter.dispatch('epoch_minute', 'xla_warehouse')(ts)) }}
{%- endmacro %}

{% macro default__epoch_minute(ts) -%}
    cast(floor(unix_timestamp({{ ts }}) / 60) as bigint)
{%- endmacro %}

{% macro duckdb__epoch_minute(ts) -%}
    cast(floor(epoch({{ ts }}) / 60) as bigint)
{%- endmacro %}

{#- The instant (timestamp with time zone) that is a number of minutes after the epoch. -#}
{% macro minute_to_timestamp(minutes) -%}
    {{ return(adapter.dispatch('minute_to_timestamp', 'xla_warehouse')(minutes)) }}
{%- endmacro %}

{% macro default__minute_to_timestamp(minutes) -%}
    timestamp_seconds(cast({{ minutes }} as bigint) * 60)
{%- endmacro %}

{% macro duckdb__minute_to_timestamp(minutes) -%}
    to_timestamp(cast({{ minutes }} as bigint) * 60)
{%- endmacro %}

{#-
    The UTC instant of a wall-clock time (timestamp without time zone) in an IANA time
    zone, DST-correct. A wall-clock time that does not exist (the hour skipped in
    spring) moves forward by the gap; one that exists twice (the hour repeated in
    autumn) is read in standard time, its later occurrence.
-#}
{% macro from_local_timestamp(local_ts, tz_column) -%}
    {{ return(adapter.dispatch('from_local_timestamp', 'xla_warehouse')(local_ts, tz_column)) }}
{%- endmacro %}

{% macro default__from_local_timestamp(local_ts, tz_column) -%}
    to_utc_timestamp({{ local_ts }}, {{ tz_column }})
{%- endmacro %}

{% macro duckdb__from_local_timestamp(local_ts, tz_column) -%}
    timezone({{ tz_column }}, {{ local_ts }})
{%- endmacro %}

{#-
    Spark resolves a repeated wall-clock time to its earlier occurrence (summer time);
    the later one is taken when it maps back to the same wall-clock time. Daylight-saving
    shifts of one hour, as in every zone the contract's calendars use.
-#}
{% macro spark__from_local_timestamp(local_ts, tz_column) -%}
    case
        when from_utc_timestamp(
            to_utc_timestamp({{ local_ts }}, {{ tz_column }}) + interval 1 hour, {{ tz_column }}
        ) = {{ local_ts }}
            then to_utc_timestamp({{ local_ts }}, {{ tz_column }}) + interval 1 hour
        else to_utc_timestamp({{ local_ts }}, {{ tz_column }})
    end
{%- endmacro %}

{#-
    One row per integer lo .. hi (inclusive) of the row it is selected from: a select-list
    expression that multiplies rows, for ranges whose bounds come from data.
-#}
{% macro integer_range_values(lo, hi) -%}
    {{ return(adapter.dispatch('integer_range_values', 'xla_warehouse')(lo, hi)) }}
{%- endmacro %}

{% macro default__integer_range_values(lo, hi) -%}
    explode(sequence(cast({{ lo }} as bigint), cast({{ hi }} as bigint)))
{%- endmacro %}

{% macro duckdb__integer_range_values(lo, hi) -%}
    unnest(generate_series(cast({{ lo }} as bigint), cast({{ hi }} as bigint)))
{%- endmacro %}

{#- True when `status` is one of the `;`-separated statuses in `status_list`. -#}
{% macro status_in_list(status, status_list) -%}
    coalesce(
        {{ dbt.position(dbt.concat(["';'", status, "';'"]), dbt.concat(["';'", status_list, "';'"])) }} > 0,
        false
    )
{%- endmacro %}
