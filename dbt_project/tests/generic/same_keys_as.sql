{#-
    Reconciles a table's keys with another layer's: every distinct key of `compare_model`
    appears in `model` and no other. With `unique` on the column, this proves exactly one
    row per key of the upstream layer.
-#}
{% test same_keys_as(model, column_name, compare_model, compare_column=none) %}

    {%- set compare_column = compare_column or column_name %}

    with

    model_keys as (

        select distinct {{ column_name }} as key_value from {{ model }}

    ),

    compare_keys as (

        select distinct {{ compare_column }} as key_value from {{ compare_model }}

    ),

    missing as (

        select key_value, 'missing from model' as problem
        from compare_keys
        where key_value not in (select key_value from model_keys where key_value is not null)

    ),

    extra as (

        select key_value, 'not in compare model' as problem
        from model_keys
        where key_value not in (select key_value from compare_keys where key_value is not null)

    )

    select * from missing
    union all
    select * from extra

{% endtest %}
