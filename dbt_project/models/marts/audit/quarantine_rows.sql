with

quarantine_rows as (

    select * from {{ ref('stg_ingest__quarantine_rows') }}

)

select
    quarantine_row_id,
    file_name,
    extract,
    line_number,
    raw_line,
    reason,
    file_sha256,
    run_id,
    ingested_at

from quarantine_rows
