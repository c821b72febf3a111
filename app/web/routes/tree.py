"""The directive hierarchy: from a superior directive (06/QĐ-TTg) through the plans and
documents that carry it out down to their tasks, as nested <details> (collapsible without
JavaScript), each node with its branch's open / overdue / done counts.  The tree is
models.graph_tree.directive_tree, the one `chidao graph --root` prints."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.web.deps import SessionDep, TodayDep, render

router = APIRouter()
TASKS_SHOWN = 50        # per document: a big register's tree stays a page, the rest is on the document's page


@router.get("/tree", response_class=HTMLResponse)
def tree_page(request: Request, session: SessionDep, today: TodayDep, root: str = ""):
    from models.db import RegisterError
    from models.graph_tree import directive_tree, superior_directives

    roots = superior_directives(session)
    root = " ".join(root.split()) or (roots[0].root if roots else "")
    top, error = None, None
    if root:
        try:
            top = directive_tree(session, root=root, today=today)
        except RegisterError as exc:
            error = f"{exc}"
    return render(request, "tree.html", status_code=404 if error else 200, nav="tree", roots=roots, root=root,
                  top=top, tasks_shown=TASKS_SHOWN, tally=top.subtree_tally() if top else None, flash=error, flash_kind="err")
