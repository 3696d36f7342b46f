-- Every model that refs run_parameters cross joins it: more than one row would multiply rows.
select count(*) as row_count
from {{ ref('run_parameters') }}
having count(*) <> 1
