{#-
    The parameters of one build: `as_of` (the instant "now" for open tickets, ISO 8601;
    empty: the latest updated_at ingested), `since_ingest_seq` and `tested_since_seq`
    (macros/incremental.sql).

    A parameter given as a var on the command line (`--vars '{"as_of": "..."}'`) wins;
    otherwise it is read from the environment variable `XLA_<NAME>` that `xla run` sets
    for its dbt. Both are read only when dbt executes a node, never while it parses the
    project: parsing renders `default`, so a nightly run with a new `as_of` keeps the
    parse of the night before (dbt parses a project again whole when its vars change, and
    a file again when an environment variable it read while parsing changed).
-#}
{% macro run_parameter(name, default) -%}
    {%- set given = var(name, none) -%}
    {%- if given is not none and (given | string | trim) != '' -%}
        {{ return(given) }}
    {%- endif -%}
    {%- if execute -%}
        {{ return(env_var('XLA_' ~ (name | upper), default)) }}
    {%- endif -%}
    {{ return(default) }}
{%- endmacro %}
