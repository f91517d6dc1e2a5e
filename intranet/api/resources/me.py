"""GET /me: who the token acts as, and the token itself."""
from ...org import roles
from .. import schemas as s
from ..framework import current_person, current_token
from ..present import unit_ref
from ..schemas import aware
from . import api


@api.route("/me", "GET", tag="me", summary="令牌所代表的人员、其角色与令牌信息", responses={200: s.Me})
def me():
    user, token = current_person(), current_token()
    return s.Me(id=user.id, username=user.username, name=user.name, is_sysadmin=user.is_sysadmin,
                memberships=[s.Membership(unit=unit_ref(m.unit), role=m.role, role_label=roles.LABELS.get(m.role, m.role))
                             for m in user.memberships],
                token=s.TokenInfo(id=token.id, name=token.name, prefix=token.prefix, scope=token.scope,
                                  created_at=aware(token.created_at), expires_at=aware(token.expires_at),
                                  last_used_at=aware(token.last_used_at)))
