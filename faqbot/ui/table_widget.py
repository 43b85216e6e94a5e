"""A widget that renders one Rich table: its height is kept per width."""

from __future__ import annotations

from textual.geometry import Size
from textual.widget import Widget


class TableWidget(Widget):
    """Heights by width, kept: laying a table out is costly, and F3 or a resize switches between the
    same two widths for every table of a long conversation."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._heights: dict[int, int] = {}

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        if width not in self._heights:
            self._heights[width] = super().get_content_height(container, viewport, width)
        return self._heights[width]
