"""The UI shell imports one way (#12 point 4): no cycle among memberdesk.ui's top-level modules
(the window builds the menus and the data page; the data page opens the import wizard; all of
them share memberdesk/ui/shell/common.py). Checked on the import graph, TYPE_CHECKING imports
included, so a cycle hidden behind an annotation counts too."""
from __future__ import annotations

import grimp


def test_no_import_cycle_between_the_shell_modules() -> None:
    graph = grimp.build_graph("memberdesk", cache_dir=None)
    shell = sorted(m for m in graph.find_children("memberdesk.ui") if not graph.find_children(m))
    cycles = []
    for a in shell:
        for b in shell:
            if a < b and graph.chain_exists(importer=a, imported=b) and \
                    graph.chain_exists(importer=b, imported=a):
                cycles.append((a, b))
    assert cycles == []
