"""Weekly job: re-run the exploration notebook on the new snapshot and publish it as HTML."""

import papermill as pm


def run(week: str) -> str:
    out = f"reports/explore_churn_{week}.ipynb"
    pm.execute_notebook("notebooks/explore_churn.ipynb", out, parameters={"week": week})
    return out
