"""Budget page: not built yet; says so and shows the data it will use."""

from __future__ import annotations

from core.workspace import Workspace
from pages.components import placeholder


def render(workspace: Workspace) -> None:
    placeholder.show(workspace, "budget.title", ("marketing_spend", "orders", "traffic_daily"))


if __name__ == "__main__":
    from pages.components.state import run_page

    run_page(render)
