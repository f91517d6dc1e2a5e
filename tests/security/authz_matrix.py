"""The authorisation matrix: for every route of the application, which demo
roles may use it. tests/security/test_authz_matrix.py walks EVERY rule of the
URL map as every role and as an anonymous visitor against this data.

A route missing here fails that test: when you add a route, add an entry.
- allowed: the people who get 200 (or a redirect that is not to the sign-in
  page); everyone else must get 403 or 404 (anonymous visitors: a redirect to
  the sign-in page, 403 or 404).
- post: for routes that only accept POST. "safe": an empty POST changes
  nothing (at most it marks the person's own messages read), so it is sent as
  the allowed roles too; "unsafe": it would delete, toggle, submit, requeue or
  sign out, so only the refused roles send it. GET+POST routes are fetched with
  GET by everyone and POSTed (empty) by the refused roles.
- params: which object the URL uses (names from _objects() in the test).
- needs: a setting the route needs; where the walk's app lacks it (the test
  config has no WeCom) the route answers 404 to everyone, and the walk checks
  that instead; `allowed` is who may use it once it is configured.

The roles are the demo's people of 市办 (hz-office, the root unit, which hosts
the demo site and answers for the objects), plus two people of 上城区
(sc-office, a district below it) who must see only what their grants and
their own unit give them: sc_officer drafts into 市办's 建设进程 by grant
(分级负责), sc_head heads 上城区 (inspects 上城区 and below, not 市办).
- status: when set, every request -- as every role and anonymously -- must get
  exactly this status (the token-only API answers 401 to a session cookie)."""
from dataclasses import dataclass, field

ANON = "anonymous"
HZ = ["admin", "webmaster", "siteadmin", "officer", "liaison", "proof1", "head", "secrecy", "leader", "principal"]
OUTSIDERS = ["sc_officer", "sc_head"]
ROLES = [ANON, *HZ, *OUTSIDERS]
SIGNED_IN = frozenset(ROLES[1:])
EVERYONE = frozenset(ROLES)
NOBODY = frozenset()
HZ_STAFF = frozenset(HZ)                                       # everyone of 市办: they see its items
ADMINS = frozenset({"admin", "webmaster", "siteadmin"})        # system admin, webmaster, site admin of the site's unit
SECURITY = frozenset({"admin", "siteadmin"})                   # system admin and 网站专管员
SYSADMIN = frozenset({"admin"})
# Who may draft into 建设进程 (the column of the draft item): 市办's drafting roles, and by grant the
# districts' officers.
DRAFTERS = frozenset({"officer", "liaison", "sc_officer"})
# The public's messages in 市办's mailbox: its drafters dispatch, its head and leaders oversee, admins manage;
# the proof-reader and the secrecy reviewer have no part in them, nor have the districts.
MAILBOX_STAFF = frozenset({"admin", "webmaster", "siteadmin", "officer", "liaison", "head", "leader", "principal"})
# Review records (R-36..R-38): inspectors (system admin; webmaster, site admin, head, secrecy reviewer,
# leaders) of a unit and the units below it; the districts' inspectors see only their own district.
INSPECTORS = frozenset({"admin", "webmaster", "siteadmin", "head", "secrecy", "leader", "principal", "sc_head"})
HZ_INSPECTORS = INSPECTORS - {"sc_head"}
# Assessment (R-90..R-92): the assessor role is the webmaster (LANMU_ASSESSMENT_ASSESSOR_ROLES, and the
# system admin); the officers, liaisons, heads and leaders of an assessed unit self-assess it; admins, heads
# and leaders see the statistics and reports, each only the rows of their units and the units below them
# (sc_head: 上城区's; tests/assessment/test_stats.py checks the rows).
ASSESSORS = frozenset({"admin", "webmaster"})
HZ_SELF_ASSESSORS = frozenset({"officer", "liaison", "head", "leader", "principal"})
STATISTICS = ASSESSORS | {"siteadmin", "head", "leader", "principal", "sc_head"}
# The health view (R-93) of 市办's site: its admins, and heads and leaders of 市办.
HEALTH = ADMINS | {"head", "leader", "principal"}


@dataclass(frozen=True)
class Access:
    allowed: frozenset
    post: str = ""          # "", "safe" or "unsafe" (POST-only routes)
    params: dict = field(default_factory=dict)
    needs: str = ""         # a setting without which the route answers 404 to everyone
    status: int = 0         # every role and anonymous get exactly this status


OPEN_MONTH = {"year": "assessment_year", "month": "open_month"}
PUBLISHED_MONTH = {"year": "assessment_year", "month": "published_month"}

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
    "public.search": Access(EVERYONE),
    "public.rss": Access(EVERYONE),
    # sign-in
    "auth.login": Access(EVERYONE),
    "auth.logout": Access(SIGNED_IN, post="unsafe"),
    "auth.change_password": Access(SIGNED_IN),
    # WeCom sign-in: anyone, once WeCom is configured (tests/reminders/test_wecom_login.py)
    "wecom_login.start": Access(EVERYONE, needs="WECOM_CORP_ID"),
    "wecom_login.callback": Access(EVERYONE, needs="WECOM_CORP_ID"),
    "dashboard.index": Access(SIGNED_IN),
    # items (the draft item is the officer's, in a column of 市办)
    "items.index": Access(SIGNED_IN),
    "items.new": Access(SIGNED_IN),
    "items.view": Access(HZ_STAFF | DRAFTERS),
    "items.revision": Access(HZ_STAFF | DRAFTERS),
    "items.download": Access(HZ_STAFF | DRAFTERS),
    "items.edit": Access(DRAFTERS),
    "items.upload": Access(DRAFTERS, post="safe"),
    "items.caption": Access(DRAFTERS, post="safe"),
    "items.upload_image": Access(DRAFTERS, post="safe"),
    # an image of the item an e-mail decision link shows: only through a valid link (none in the walk)
    "review.link_file": Access(frozenset(), params={"token": "review_link_token"}),  # the attachment is not the linked item's: 404
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
    # an e-mail decision link of the head on a reply in review: opened without signing in, or
    # signed in as its addressee
    "mailbox_staff.link": Access(frozenset({ANON, "head"}), params={"token": "reply_link_token"}),
    # review and publication (R-30..R-40). The draft is the officer's; the review item is in review with its
    # first step (校对) open for 市办's proof-readers; the withdrawn item went through the chain, was
    # published (its approval form and archive are the publication) and withdrawn; the published item is
    # on the public site.
    "review.queue": Access(SIGNED_IN),
    "review.item": Access(HZ_STAFF | DRAFTERS, params={"item_id": "review_item"}),
    "review.submit": Access(DRAFTERS, post="unsafe"),
    "review.decide": Access(frozenset({"proof1"}), post="safe", params={"step_id": "review_step"}),
    "review.reresolve": Access(ADMINS, post="safe", params={"step_id": "review_step"}),
    "review.withdraw": Access(frozenset({"webmaster"}), post="safe", params={"item_id": "published_item"}),
    "review.reopen": Access(DRAFTERS, post="unsafe", params={"item_id": "withdrawn_item"}),
    # an e-mail decision link of the proof-reader: opened without signing in, or signed in as its addressee
    "review.link": Access(frozenset({ANON, "proof1"}), params={"token": "review_link_token"}),
    "review.chains_index": Access(ADMINS),
    "review.chain_edit": Access(ADMINS, params={"importance": "importance"}),
    "review.chain_delete": Access(ADMINS, post="unsafe", params={"importance": "importance"}),
    "review.ledger": Access(INSPECTORS),
    "review.ledger_xlsx": Access(INSPECTORS),
    "review.archive": Access(INSPECTORS),
    # every approval form in scope (no ids): inspectors; 上城区's head has no publication in scope: 404
    "review.forms_xlsx": Access(HZ_INSPECTORS),
    # one publication of 市办 (of an item in 建设进程): its inspectors, its author and whoever may see the
    # item's review (市办's staff, and sc_officer who drafts into the column by grant), like review.item;
    # tests/review/test_publish.py exports it with ?ids= as these people
    "review.form": Access(HZ_STAFF | DRAFTERS, params={"pub_id": "publication"}),
    "review.archived": Access(HZ_STAFF | DRAFTERS, params={"pub_id": "publication"}),
    "review.archived_file": Access(HZ_STAFF | DRAFTERS,
                                   params={"pub_id": "publication", "file_id": "publication_file"}),
    # content checks (R-50..R-52): lexicons and the link report for admins; masking and the editor's
    # preview for those who may edit the draft
    "checks.lexicon": Access(ADMINS),
    "checks.edit_word": Access(ADMINS, params={"word_id": "lexicon_word"}),
    "checks.toggle_word": Access(ADMINS, post="unsafe", params={"word_id": "lexicon_word"}),
    "checks.import_lexicon": Access(ADMINS),
    "checks.export_lexicon": Access(ADMINS),
    "checks.links_report": Access(ADMINS),
    "checks.mask": Access(DRAFTERS, post="safe"),
    "checks.preview": Access(DRAFTERS, post="safe"),
    # reminders (R-80..R-84): one's own; the outbox for admins, each the messages for the people of their
    # units and below (市办's admins: every message; tests/reminders/test_outbox.py checks a district's admin)
    "reminders.mine": Access(SIGNED_IN),
    "reminders.mark_read": Access(SIGNED_IN, post="safe"),
    "reminders.outbox": Access(ADMINS),
    "reminders.send_test": Access(ADMINS, post="safe"),
    "reminders.retry": Access(ADMINS, post="unsafe", params={"row_id": "outbox_row"}),
    # the in-app inbox: one's own messages (the message is the officer's)
    "notify.index": Access(SIGNED_IN),
    "notify.open_message": Access(frozenset({"officer"}), post="safe", params={"message_id": "inbox_message"}),
    "notify.read_all": Access(SIGNED_IN, post="safe"),
    # assessment (R-90..R-92): the open month (October 2026, after its self-assessment window) and the
    # published month (September 2026, also public); the unit is 市办
    "assessment.index": Access(SIGNED_IN),
    "assessment.month": Access(ASSESSORS | HZ_SELF_ASSESSORS | frozenset(OUTSIDERS), params=OPEN_MONTH),
    "assessment.self_assess": Access(HZ_SELF_ASSESSORS, params=OPEN_MONTH),
    "assessment.unified": Access(ASSESSORS, params=OPEN_MONTH),
    "assessment.fix": Access(ASSESSORS, post="safe", params=OPEN_MONTH),
    "assessment.publish": Access(ASSESSORS, post="safe", params=OPEN_MONTH),
    "assessment.month_export": Access(ASSESSORS, params=OPEN_MONTH),
    "assessment.results": Access(SIGNED_IN, params=PUBLISHED_MONTH),
    "assessment.year": Access(ASSESSORS, params={"year": "assessment_year"}),
    "assessment.year_export": Access(ASSESSORS, params={"year": "assessment_year"}),
    "assessment.year_fix": Access(ASSESSORS, post="unsafe", params={"year": "assessment_year"}),
    "assessment.people": Access(STATISTICS),
    "assessment.people_export": Access(STATISTICS),
    "assessment.reports": Access(STATISTICS),
    "assessment.reports_export": Access(STATISTICS),
    "assessment_public.public_index": Access(EVERYONE),
    "assessment_public.public_results": Access(EVERYONE, params=PUBLISHED_MONTH),
    # the inspection health view
    "health.index": Access(HEALTH),
    "health.site": Access(HEALTH),
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
