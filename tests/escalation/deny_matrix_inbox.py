"""Deny-matrix entries of the inbox: every user reaches only their own notifications.

The foreign notification belongs to a region-B user and concerns the region-B case; its row
marker must never show up, and marking it (or its case) read is refused (tested with POST
in ``test_inbox.py`` and ``test_inbox_groups.py``; the matrix's GET gets 405).
"""

from ..cases.deny_matrix import ensure_foreign_case
from ..factories.escalation import NotificationFactory

ENTRIES = {
    "inbox:inbox": (None, "list"),
    "inbox:unread_count": (None, "own"),
    "inbox:mark_read": (lambda f: [f["notification"].pk], "post_only"),
    "inbox:mark_all_read": (None, "post_only"),
    "inbox:mark_case_read": (lambda f: [f["case"].pk], "post_only"),
    "inbox:preferences": (None, "own"),
}


def add_foreign(world, foreign):
    if "notification" not in foreign:
        foreign["notification"] = NotificationFactory(
            user=foreign["user"], case=ensure_foreign_case(world, foreign)
        )
        foreign["secrets"].append(f'data-notification="{foreign["notification"].pk}"')
