{#-
    dbt's not_null test, selecting the whole failing rows instead of the one column: the
    audit store keeps a sample of the rows a failed test returned, and `policy=None`
    alone would not say which ticket or client an auditor should look at.
-#}
{% macro default__test_not_null(model, column_name) %}

select *
from {{ model }}
where {{ column_name }} is null

{% endmacro %}
