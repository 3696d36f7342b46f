{#-
    dbt's own noop_statement, except that it does not write a seed's runtime SQL to
    target/run. dbt builds that path by joining the target folder with the seed's file
    path; the seeds live in $XLA_SEEDS_DIR, an absolute path, so the join yields the seed
    file itself and the write would replace the MSP's CSV with SQL. Only the seed
    materialization calls this macro.
-#}
{% macro noop_statement(name=None, message=None, code=None, rows_affected=None, res=None) -%}
    {%- set sql = caller() -%}

    {%- if name == 'main' and model.resource_type != 'seed' -%}
        {{ write(sql) }}
    {%- endif -%}

    {%- if name is not none -%}
        {{ store_raw_result(name, message=message, code=code, rows_affected=rows_affected, agate_table=res) }}
    {%- endif -%}
{%- endmacro %}
