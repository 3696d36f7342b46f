with

source as (

    select * from {{ source('ingest', 'quarantine_rows') }}

),

renamed as (

    select
        cast(file_name as varchar) as file_name,
        cast(extract as varchar) as extract,
        cast(line_number as bigint) as line_number,
        cast(raw_line as varchar) as raw_line,
        cast(reason as varchar) as reason,
        cast(file_sha256 as varchar) as file_sha256,
        cast(run_id as varchar) as run_id,
        cast(ingested_at as timestamp with time zone) as ingested_at

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
    {{ dbt.concat(['file_sha256', "':'", dbt.cast('line_number', 'varchar')]) }}
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
