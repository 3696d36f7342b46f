{#-
    When each client-month closes (`int_client_months__closes`), published for auditors
    and the closed months' record.
-#}
with

closes as (

    select * from {{ ref('int_client_months__closes') }}

)

select * from closes
