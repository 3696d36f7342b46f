with

source as (

    select * from {{ source('ingest', 'quarantine_rows') }}

),

renamed as (

    select
        cast(file_name as string) as file_name,
        cast(extract as string) as extract,
        cast(line_number as bigint) as line_number,
        cast(raw_line as string) as raw_line,
        cast(reason as string) as reason,
        cast(file_sha256 as string) as file_sha256,
        cast(run_id as string) as run_id,
        cast(ingested_at as {{ type_instant() }}) as ingested_at

    from source

),

-- A landed line is rejected once per file content; should the same file be ingested
-- again, the first rejection (its run) is the one on record.
ranked as (

    select
        *,
        row_number() over (
            partition by file_sha256, line_number
            order by ingested_at asc nulls last, run_id asc nulls last
        ) as rejection_rank

    from renamed

)

select
    {{ dbt.concat(['file_sha256', "':'", dbt.cast('line_number', 'string')]) }}
        as quarantine_row_id,
    file_name,
    extract,
    line_number,
    raw_line,
    reason,
    file_sha256,
    run_id,
    ingested_at

from ranked
where rejection_rank = 1
