{#-
    Keep the newest version of each row of a lake extract.

    Extract files are deltas, so the same key may arrive in several files (or twice in
    one). Ranked by the version column when the extract has one, then extract date, file
    name and line, all descending, and last by the file's SHA-256, so that two deliveries
    of a file under the same name always rank the same way; rank 1 wins. A plain
    row_number() in a subquery rather than QUALIFY, so the SQL runs on engines without it.

    relation: a relation or CTE name with the columns extract_date, source_file,
    source_line, file_sha256.
-#}
{% macro latest_version(relation, key, version_column=none) -%}
    select *
    from (
        select
            versions.*,
            row_number() over (
                partition by versions.{{ key }}
                order by
                    {% if version_column -%}
                        versions.{{ version_column }} desc nulls last,
                    {% endif -%}
                    versions.extract_date desc nulls last,
                    versions.source_file desc nulls last,
                    versions.source_line desc nulls last,
                    versions.file_sha256 desc nulls last
            ) as version_rank
        from {{ relation }} as versions
    ) as ranked
    where version_rank = 1
{%- endmacro %}
