"""The authorisation matrix: for every route of the application, which demo
roles may use it. tests/security/test_authz_matrix.py walks EVERY rule of the
URL map as every role and as an anonymous visitor against this data.

A route missing here fails that test: when you add a route, add an entry.
- allowed: the people who get 200 (or a redirect that is not to the sign-in
  page); everyone else must get 403 or 404 (anonymous visitors: a redirect to
  the sign-in page, 403 or 404).
- post: for routes that only accept POST. "safe": an empty POST changes
  nothing, so it is sent as the allowed roles too; "unsafe": it would delete,
  toggle or sign out, so only the refused roles send it. GET+POST routes are
  fetched with GET by everyone and POSTed (empty) by the refused roles.
- params: which object the URL uses (names from OBJECTS in the test).
- status: when set, every request -- as every role and anonymously -- must get
  exactly this status (the token-only API answers 401 to a session cookie)."""
from dataclasses import dataclass, field

ANON = "anonymous"
ROLES = [ANON, "admin", "webmaster", "siteadmin", "officer", "liaison", "proof1", "head", "secrecy", "leader",
         "principal"]
SIGNED_IN = frozenset(ROLES[1:])
EVERYONE = frozenset(ROLES)
ADMINS = frozenset({"admin", "webmaster", "siteadmin"})        # system admin, webmaster, site admin of the site's unit
SECURITY = frozenset({"admin", "siteadmin"})                   # system admin and 网站专管员
SYSADMIN = frozenset({"admin"})
DRAFTERS = frozenset({"officer", "liaison"})                   # drafting roles of the item's unit
# The public's messages in 市办's mailbox: its drafters dispatch, its head and leaders oversee, admins manage;
# the proof-reader and the secrecy reviewer have no part in them.
MAILBOX_STAFF = frozenset({"admin", "webmaster", "siteadmin", "officer", "liaison", "head", "leader", "principal"})


@dataclass(frozen=True)
class Access:
    allowed: frozenset
    post: str = ""          # "", "safe" or "unsafe" (POST-only routes)
    params: dict = field(default_factory=dict)
    status: int = 0         # every role and anonymous get exactly this status


# The token-only API: any id will do in its URLs (nothing is looked up before the 401)
_ANY_ID = {"step_id": "item_id"}
TOKEN_ONLY = Access(frozenset(), params=_ANY_ID, status=401)
TOKEN_ONLY_POST = Access(frozenset(), post="unsafe", params=_ANY_ID, status=401)

MATRIX = {
    # static files and the public site
    "static": Access(EVERYONE),
    "bootstrap.static": Access(EVERYONE),
    "public.home": Access(EVERYONE),
    "public.site_home": Access(EVERYONE),
    "public.column": Access(EVERYONE),
    "public.item": Access(EVERYONE, params={"item_id": "published_item"}),
    "public.attachment": Access(EVERYONE, params={"item_id": "published_item", "attachment_id": "published_image"}),
    # sign-in
    "auth.login": Access(EVERYONE),
    "auth.logout": Access(SIGNED_IN, post="unsafe"),
    "auth.change_password": Access(SIGNED_IN),
    "dashboard.index": Access(SIGNED_IN),
    # items (the draft item is the officer's, in a column of 市办)
    "items.index": Access(SIGNED_IN),
    "items.new": Access(SIGNED_IN),
    "items.view": Access(SIGNED_IN),
    "items.revision": Access(SIGNED_IN),
    "items.download": Access(SIGNED_IN),
    "items.edit": Access(DRAFTERS),
    "items.upload": Access(DRAFTERS, post="safe"),
    "items.caption": Access(DRAFTERS, post="safe"),
    "items.delete_attachment": Access(DRAFTERS, post="unsafe"),
    "items.delete": Access(frozenset({"officer"}), post="unsafe"),
    # units, people, roles, hand-over
    "org.units": Access(ADMINS),
    "org.edit_unit": Access(ADMINS),
    "org.users": Access(ADMINS),
    "org.edit_user": Access(ADMINS),
    "org.add_role": Access(ADMINS, post="safe"),
    "org.remove_role": Access(ADMINS, post="unsafe"),
    "org.handover": Access(ADMINS, post="safe"),
    "org.toggle_user": Access(ADMINS, post="unsafe"),
    # sites and columns
    "sites.index": Access(ADMINS),
    "sites.edit_site": Access(ADMINS),
    "sites.columns": Access(ADMINS),
    "sites.edit_column": Access(ADMINS),
    "sites.grants": Access(ADMINS),
    "sites.archive_column": Access(ADMINS, post="unsafe"),
    "sites.move_column": Access(ADMINS, post="unsafe"),
    "sites.revoke_grant": Access(ADMINS, post="unsafe"),
    # audit trail
    "audit.index": Access(SECURITY),
    "audit.export": Access(SECURITY),
    # incidents
    "security.incidents": Access(ADMINS),
    "security.new_incident": Access(ADMINS),
    "security.incident": Access(ADMINS),
    "security.incident_action": Access(ADMINS, post="safe"),
    "security.incident_report": Access(ADMINS, post="safe"),
    "security.incident_link": Access(ADMINS, post="safe"),
    "security.incident_close": Access(ADMINS, post="safe"),
    # responsibility letters (R-98): 市办's head is the principal leader
    "security.letters": Access(SIGNED_IN),
    "security.sign_letter": Access(frozenset({"principal"})),
    "security.letter_signature": Access(frozenset({"principal"}) | ADMINS),
    "security.letter_template": Access(SECURITY),
    # duty roster
    "security.duty": Access(SIGNED_IN),
    "security.edit_duty": Access(SECURITY),
    "security.delete_duty": Access(SECURITY, post="unsafe"),
    # sessions and settings
    "security.sessions": Access(SECURITY),
    "security.end_session": Access(SECURITY, post="unsafe"),
    "security.settings": Access(SYSADMIN),
    # working-day calendar: system admins
    "workdays.index": Access(SYSADMIN),
    "workdays.add_day": Access(SYSADMIN, post="safe"),
    "workdays.notice": Access(SYSADMIN, post="safe"),
    "workdays.delete_day": Access(SYSADMIN, post="unsafe", params={"row_id": "workday_override_id"}),
    "workdays.toggle_complete": Access(SYSADMIN, post="unsafe", params={"year": "workday_year"}),
    # the mailbox column type (R-70..R-73): public form, lookup and published answers; staff pages
    "mailbox.write": Access(EVERYONE, params={"slug": "mailbox_slug"}),
    "mailbox.query": Access(EVERYONE, params={"slug": "mailbox_slug"}),
    "mailbox.detail": Access(EVERYONE, params={"slug": "mailbox_slug", "message_id": "public_message_id"}),
    "mailbox_staff.index": Access(SIGNED_IN),
    "mailbox_staff.view": Access(MAILBOX_STAFF),
    "mailbox_staff.attachment": Access(MAILBOX_STAFF),
    "mailbox_staff.route": Access(MAILBOX_STAFF, post="safe"),
    "mailbox_staff.escalate": Access(MAILBOX_STAFF, post="safe"),
    "mailbox_staff.note": Access(MAILBOX_STAFF, post="safe"),
    "mailbox_staff.reply": Access(MAILBOX_STAFF, post="safe"),
    "mailbox_staff.decide": Access(MAILBOX_STAFF, post="safe"),
    "mailbox_staff.invalid": Access(MAILBOX_STAFF, post="safe"),
    "mailbox_staff.publish": Access(MAILBOX_STAFF, post="safe"),
    "mailbox_staff.unpublish": Access(MAILBOX_STAFF, post="safe"),
    "mailbox_staff.faq": Access(MAILBOX_STAFF, post="safe"),
    # the integration API (/api/v1, intranet/api): bearer tokens only, so every signed-in role (a session
    # cookie) and anonymous get 401; writes refuse before any lookup, so an empty POST is harmless. PATCH
    # and DELETE routes are not walked. Its OpenAPI document and the page showing it need no token.
    "api.openapi": Access(EVERYONE),
    "api.docs": Access(EVERYONE),
    **{f"api.{name}": TOKEN_ONLY for name in (
        "me", "list_sites", "get_site", "list_columns", "get_column", "list_items", "get_item", "item_checks",
        "history", "my_steps", "get_step", "list_published", "get_published", "list_messages", "get_message",
        "my_reminders", "site_health")},
    **{f"api.{name}": TOKEN_ONLY_POST for name in (
        "create_item", "update_item", "add_attachments", "delete_attachment", "submit", "decide",
        "assign_message", "transfer_message", "reply_message", "review_reply")},
    # the API token pages: everyone their own; an admin of the person's units for them (the URL names the
    # officer, of 市办: the officer themselves and 市办's admins)
    "api_tokens.index": Access(SIGNED_IN),
    "api_tokens.person": Access(ADMINS | frozenset({"officer"})),
    "api_tokens.revoke": Access(SIGNED_IN, post="unsafe"),
}
