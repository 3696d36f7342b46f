"""Great Expectations suites derived from the extract contract.

They run on the rows the ingest accepted in this run, read back from the lake files it
wrote (one DataFrame per extract), an independent second look at what entered the lake:
a failure means the validator let a bad row through, and blocks publication. The runner
also renders stored validations, each suite's latest from whichever run made it, as
Great Expectations Data Docs (see `orchestration/ingest/data_docs.py`).
"""

from __future__ import annotations

import html
import os
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from orchestration.contract import LANDING_EXTRACTS, Extract
from orchestration.quality.results import CheckResult

SAMPLE_SIZE = 5
INDEX_COLUMNS = ("_source_file", "_source_line")
DOCS_SITE = "xla"


def _expectations(extract: Extract) -> list[Any]:
    import great_expectations as gx

    found: list[Any] = []
    for column in extract.columns:
        if column.required:
            found.append(gx.expectations.ExpectColumnValuesToNotBeNull(column=column.name))
        if column.type == "enum":
            # A mapped column is checked as the warehouse reads it: in the contract's words.
            found.append(
                gx.expectations.ExpectColumnValuesToBeInSet(
                    column=column.name, value_set=list(column.contract_values)
                )
            )
        if column.minimum is not None or column.maximum is not None:
            found.append(
                gx.expectations.ExpectColumnValuesToBeBetween(
                    column=column.name, min_value=column.minimum, max_value=column.maximum
                )
            )
    for group in extract.together:
        # All together or not at all: each column has a value wherever another has one,
        # and a row with none of them has the columns it then needs.
        for name in group.columns:
            others = " | ".join(f"{other}.notnull()" for other in group.columns if other != name)
            found.append(
                gx.expectations.ExpectColumnValuesToNotBeNull(
                    column=name, row_condition=others, condition_parser="pandas"
                )
            )
        absent = " & ".join(f"{name}.isnull()" for name in group.columns)
        found += [
            gx.expectations.ExpectColumnValuesToNotBeNull(
                column=needed, row_condition=absent, condition_parser="pandas"
            )
            for needed in group.absent_needs
        ]
    for earlier, later in extract.ordered:
        found.append(
            gx.expectations.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A=later,
                column_B=earlier,
                or_equal=True,
                ignore_row_if="either_value_is_missing",
            )
        )
    return found


def suite_columns(extract: Extract) -> list[str]:
    """The columns the extract's suite reads, with the two that name a failing row."""
    checked = {
        column.name
        for column in extract.columns
        if column.required
        or column.type == "enum"
        or column.minimum is not None
        or column.maximum is not None
    }
    checked.update(name for pair in extract.ordered for name in pair)
    for group in extract.together:
        checked.update((*group.columns, *group.absent_needs))
    names = [column.name for column in extract.columns if column.name in checked]
    return [*names, *INDEX_COLUMNS]


def _describe(config: Any) -> str:
    kwargs = config.kwargs
    columns = kwargs.get("column") or f"{kwargs.get('column_A')} >= {kwargs.get('column_B')}"
    return f"{config.type}({columns})"


def _escaped(value: Any) -> Any:
    """Every string in a result, HTML-escaped.

    Data Docs put observed values (the rows' own text) into table cells unescaped, so
    they are escaped before rendering; the expectations' parameters, which the docs do
    escape, come from the contract and are left alone.
    """
    if isinstance(value, str):
        return html.escape(value, quote=True)
    if isinstance(value, list):
        return [_escaped(item) for item in value]
    if isinstance(value, dict):
        return {key: _escaped(item) for key, item in value.items()}
    return value


class SuiteRunner:
    """One ephemeral Great Expectations context for a run; suites are get-or-add."""

    def __init__(self) -> None:
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        self._gx = gx
        self.context = gx.get_context(mode="ephemeral")
        self.context.variables.progress_bars = ProgressBarsConfig(globally=False)
        self.datasource = self.context.data_sources.add_or_update_pandas("lake")
        # This run's validation results as JSON, by extract, for the Data Docs.
        self.validations: dict[str, dict[str, Any]] = {}

    def _suite(self, extract: Extract) -> Any:
        name = f"{extract.name}_contract"
        try:
            return self.context.suites.get(name)
        except Exception:  # the suite store raises its own not-found types
            suite = self.context.suites.add(self._gx.ExpectationSuite(name=name))
            for expectation in _expectations(extract):
                suite.add_expectation(expectation)
            return suite

    def _batch_definition(self, extract: Extract) -> Any:
        try:
            asset = self.datasource.get_asset(extract.name)
        except LookupError:
            asset = self.datasource.add_dataframe_asset(name=extract.name)
        try:
            return asset.get_batch_definition("run")
        except KeyError:
            return asset.add_batch_definition_whole_dataframe("run")

    def validate(self, extract: Extract, frame: pd.DataFrame) -> CheckResult:
        """Validate this run's accepted rows of one extract."""
        target = extract.asset_key
        if frame.empty:
            return CheckResult(
                "great_expectations_suite", target, "error", True, detail="no new rows"
            )
        batch = self._batch_definition(extract).get_batch(batch_parameters={"dataframe": frame})
        outcome = batch.validate(
            self._suite(extract),
            result_format={
                "result_format": "SUMMARY",
                "unexpected_index_column_names": list(INDEX_COLUMNS),
                "partial_unexpected_count": SAMPLE_SIZE,
            },
        )
        self.validations[extract.name] = outcome.to_json_dict()
        # The execution engine keeps every batch it validated: let go of this one, so a
        # run holds one extract's rows at a time.
        manager = self.datasource.get_execution_engine().batch_manager
        manager.batch_data_cache.clear()
        manager.reset_batch_cache()
        del batch
        failing = 0
        samples: list[str] = []
        failed: list[str] = []
        for result in outcome.results:
            if result.success:
                continue
            failed.append(_describe(result.expectation_config))
            failing += int(result.result.get("unexpected_count") or 0)
            for index in result.result.get("partial_unexpected_index_list") or []:
                samples.append(f"{index['_source_file']}:{index['_source_line']}")
        return CheckResult(
            check_name="great_expectations_suite",
            target=target,
            severity="error",
            passed=bool(outcome.success),
            failing_count=failing,
            sample_keys=tuple(dict.fromkeys(samples))[:SAMPLE_SIZE],
            detail=(
                f"{len(outcome.results)} expectations on {len(frame)} rows"
                if outcome.success
                else "failed: " + ", ".join(failed)
            ),
        )

    def build_data_docs(
        self, out_dir: Path, validations: Mapping[str, tuple[str, datetime, dict[str, Any]]]
    ) -> None:
        """Render validation results as Data Docs in `out_dir`.

        `validations` gives, by extract, the run that validated it, when, and the result
        (GX JSON); the extracts' results may come from different runs. The pages sit at
        `validations/<extract>_contract/<run_id>/<validated_at>/<extract>.html` and
        `expectations/<extract>_contract.html`, so the same results always give the same
        paths, and they are the only validations rendered: any other result this
        runner's context holds is dropped first.
        """
        from great_expectations.core.expectation_validation_result import (
            ExpectationSuiteValidationResultSchema,
        )
        from great_expectations.core.run_identifier import RunIdentifier
        from great_expectations.data_context.types.resource_identifiers import (
            ExpectationSuiteIdentifier,
            ValidationResultIdentifier,
        )

        site = {
            "class_name": "SiteBuilder",
            "show_how_to_buttons": False,
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(out_dir),
            },
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        }
        if DOCS_SITE in self.context.list_data_docs_sites():
            self.context.update_data_docs_site(DOCS_SITE, site)
        else:
            self.context.add_data_docs_site(DOCS_SITE, site)
        schema = ExpectationSuiteValidationResultSchema()
        rendered = {}
        for name, (run_id, validated_at, document) in sorted(validations.items()):
            suite = self._suite(LANDING_EXTRACTS[name])
            meta = document.get("meta") or {}
            inert = {
                **document,
                # The page's run and data asset, which a validation outside a checkpoint lacks.
                "meta": {
                    **meta,
                    "run_id": {"run_name": run_id, "run_time": validated_at.isoformat()},
                    "batch_spec": {**(meta.get("batch_spec") or {}), "data_asset_name": name},
                },
                "results": [
                    {
                        **item,
                        "result": _escaped(item.get("result") or {}),
                        "exception_info": _escaped(item.get("exception_info") or {}),
                    }
                    for item in document.get("results", [])
                ],
            }
            key = ValidationResultIdentifier(
                expectation_suite_identifier=ExpectationSuiteIdentifier(name=suite.name),
                run_id=RunIdentifier(run_name=run_id, run_time=validated_at),
                batch_identifier=name,
            )
            rendered[key.to_tuple()] = (key, schema.load(inert))
        # The site renders every result of the context's store: only these.
        store = self.context.validation_results_store
        for key in store.list_keys():
            if key.to_tuple() not in rendered:
                store.remove_key(key)
        for key, result in rendered.values():
            store.set(key, result)
        self.context.build_data_docs(site_names=[DOCS_SITE])
