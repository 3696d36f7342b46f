{#-
    Incremental builds of the large facts (docs/incremental-builds.md).

    Every lake row carries `_ingest_seq`, the ledger position of its file. A build is
    told, in the run parameter `since_ingest_seq` (macros/run_parameters.sql), the
    highest seq the warehouse was last built
    from; an incremental model recomputes whole every key (a ticket) that a
    lake row with a higher seq touches, and the strategy `replace_scope` deletes those
    keys from the table and inserts their recomputed rows. A key whose recomputation
    yields no rows is deleted all the same. A build run
    without the parameter recomputes every key, so it is never wrong, only slower.

    The scope macros return a predicate on the model's own columns. The same predicate
    filters the model's select and the delete, so the two always agree. Files from
    before `_ingest_seq` read as 0.
-#}

{% macro since_ingest_seq() -%}
    {{ return(run_parameter('since_ingest_seq', '-1') | int) }}
{%- endmacro %}

{#-
    The seq up to which the last builds' data tests that fail a build all passed: such a
    test of a staging model reads only rows above it (`get_where_subquery`). -1: every row.
-#}
{% macro tested_since_seq() -%}
    {{ return(run_parameter('tested_since_seq', '-1') | int) }}
{%- endmacro %}

{#- Lake rows of a source table that landed after the last build. -#}
{% macro new_lake_rows(source_name, table_name) -%}
    select * from {{ source(source_name, table_name) }}
    where coalesce(_ingest_seq, 0) > {{ since_ingest_seq() }}
{%- endmacro %}

{#- Keys of one type that lake rows since the last build touch (`int_lake__changed_keys`). -#}
{% macro changed_keys(key_types) -%}
    select key_value from {{ ref('int_lake__changed_keys') }}
    where key_type in (
        {%- for key_type in key_types -%}
            '{{ key_type }}'{{ ', ' if not loop.last }}
        {%- endfor -%}
    )
{%- endmacro %}

{#- Tickets of the SLA clocks to recompute: new rows, or a clock still running at the last as_of. -#}
{% macro sla_ticket_scope() -%}
    ticket_id in (
        {{ changed_keys(['ticket']) }}
        {% if is_incremental() %}
            union
            select ticket_id from {{ this }} where stopped_at is null
        {% endif %}
    )
{%- endmacro %}

{#-
    Clock segments follow their clocks: the tickets with new rows, and every ticket with
    a clock still running at this build's as_of (`int_sla__measured_clocks`, built
    before), whose last segment now ends later. A clock that started at the last as_of
    had no segment at all then, so the segments' own table cannot name it. A clock that
    stopped since stopped by a new row of its ticket.
-#}
{% macro sla_segment_scope() -%}
    {%- set clocks = ref('int_sla__measured_clocks') -%}
    ticket_id in (
        {{ changed_keys(['ticket']) }}
        {% if is_incremental() %}
            union
            select ticket_id from {{ clocks }} where stopped_at is null
        {% endif %}
    )
{%- endmacro %}

{#-
    Tickets of fct_tickets to recompute: those whose clocks are recomputed, and those a
    changed timeslip or survey is (or was) on; plus every ticket whose resolution clock
    had not stopped, as its business resolution time may have stopped since.
-#}
{% macro ticket_scope() -%}
    ticket_id in (
        {{ changed_keys(['ticket', 'ticket_effort']) }}
        {% if is_incremental() %}
            union
            select ticket_id from {{ this }} where business_resolution_minutes is null
        {% endif %}
    )
{%- endmacro %}

{#-
    Staging keeps the newest version of each lake key (`latest_version`). A key with a lake
    row since the last build is ranked again over all its versions, the lake's every row
    of that key; a key with none keeps the version it had.
-#}
{% macro lake_key_scope(key, source_name, table_name) -%}
    cast({{ key }} as string) in (
        select cast({{ key }} as string)
        from ({{ new_lake_rows(source_name, table_name) }}) as changed
    )
{%- endmacro %}

{% macro ticket_version_scope() -%}
    {{ lake_key_scope('ticket_id', 'psa', 'tickets') }}
{%- endmacro %}

{% macro ticket_event_scope() -%}
    {{ lake_key_scope('event_id', 'psa', 'ticket_events') }}
{%- endmacro %}

{% macro timeslip_version_scope() -%}
    {{ lake_key_scope('timeslip_id', 'psa', 'timeslips') }}
{%- endmacro %}

{% macro survey_response_scope() -%}
    {{ lake_key_scope('response_id', 'psa', 'surveys') }}
{%- endmacro %}

{#-
    A data test that fails the build (`severity: error`) of a model whose rows carry their
    newest version's `ingest_seq` reads only the rows above `tested_since_seq`, when its
    config's meta says `changed_rows_only`: every other row is one that an earlier
    build's tests passed, and the seq advances only when they all pass. A warn test
    counts every failing row on every build, as auditors read its count. A build without
    the seq, or a full one (-1), tests every row.
-#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- set since = tested_since_seq() -%}
    {%- set scoped = (config.get('meta') or {}).get('changed_rows_only', false)
        and (config.get('severity') or 'error') | lower == 'error'
        and since >= 0 -%}
    {%- set predicates = [] -%}
    {%- if where -%}{%- do predicates.append('(' ~ where ~ ')') -%}{%- endif -%}
    {%- if scoped -%}{%- do predicates.append('ingest_seq > ' ~ since) -%}{%- endif -%}
    {%- if predicates -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ predicates | join(' and ') }}) dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}

{#-
    The predicate of a model's scope: `scope` names one of the macros above, the same as
    the model's `incremental_scope` config, which the strategy reads. Always true on a
    full build; rendered at parse time too, so dbt records what the scope reads.
-#}
{% macro incremental_scope_predicate(scope) -%}
    {%- if not execute -%}
        {%- do context[scope]() -%}
    {%- endif -%}
    {#- A unit test renders the model with no relation of its own: a full build. -#}
    {#- Without a seq (a build run by hand) every key is in scope. -#}
    {%- if this is not none and is_incremental() and since_ingest_seq() >= 0 -%}
        {{ context[scope]() }}
    {%- else -%}
        1 = 1
    {%- endif -%}
{%- endmacro %}

{#-
    The incremental strategy `replace_scope`: delete every row in the model's scope, then
    insert the recomputed rows. dbt's delete+insert deletes only keys that come back,
    which would leave a vanished flag behind.
-#}
{% macro get_incremental_replace_scope_sql(arg_dict) -%}
    {{ return(adapter.dispatch('replace_scope_sql', 'xla_warehouse')(arg_dict)) }}
{%- endmacro %}

{% macro default__replace_scope_sql(arg_dict) -%}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    delete from {{ target }}
    where {{ incremental_scope_predicate(config.require('incremental_scope')) }};

    insert into {{ target }} ({{ columns }})
    select {{ columns }}
    from {{ arg_dict['temp_relation'] }}
{%- endmacro %}

{#-
    The materialization of the large facts: incremental with `replace_scope` where the
    engine can delete rows from a table (DuckDB); rebuilt whole on Spark, whose plain
    Parquet tables cannot delete rows (docs/incremental-builds.md#on-spark).
-#}
{% macro scoped_incremental() -%}
    {{ return(adapter.dispatch('scoped_incremental', 'xla_warehouse')()) }}
{%- endmacro %}

{% macro default__scoped_incremental() -%}
    {{ return('incremental') }}
{%- endmacro %}

{% macro spark__scoped_incremental() -%}
    {{ return('table') }}
{%- endmacro %}
