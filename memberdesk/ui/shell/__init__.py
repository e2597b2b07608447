"""The application shell: the main window and its menus and actions, the data page, the import
wizard and mapping editor, the filter bar, the dialogs (connect, assumptions, errors) and the
compare panel. Pages live in :mod:`memberdesk.ui.pages`, charts in :mod:`memberdesk.ui.charts`;
what all three share (workers, settings, theme, translations, table models) stays in
:mod:`memberdesk.ui`. See docs/architecture.md, "Where things live in ui/".
"""
