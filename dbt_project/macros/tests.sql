{#-
    Data tests scoped to the lake rows a daily build brings (DECISIONS.md, "Incremental
    builds"). A test configured with `where: "__new_lake_rows__"` reads only the rows of
    its model whose file has a seq above the var `tests_since_ingest_seq`; the build
    passes that seq only when every data test of the last complete build passed, and -1
    (every row) otherwise. `warn` tests are never scoped: the number of rows they find is
    reported, and must be the whole count. Any other `where` works as dbt's own.
-#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where') -%}
    {%- if where == '__new_lake_rows__' -%}
        {%- set since = var('tests_since_ingest_seq', -1) | int -%}
        {%- set severity = config.get('severity', 'error') | string | lower -%}
        {%- if since >= 0 and severity != 'warn' -%}
            {%- do return('(select * from ' ~ relation ~ ' where ingest_seq > ' ~ since ~ ') dbt_subquery') -%}
        {%- else -%}
            {%- do return(relation) -%}
        {%- endif -%}
    {%- elif where -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ where ~ ') dbt_subquery') -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}
