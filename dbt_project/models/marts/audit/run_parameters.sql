select
    as_of,
    as_of_source,
    latest_updated_at

from {{ ref('int_run_parameters') }}
