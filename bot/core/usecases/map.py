"""The opinion map page: `/wolfpack map` issues a member a short-lived link to their pack's
page, and the page, opened with that link, reads the pack as it stands (each request reads the
database again, so the page follows the votes)."""

from __future__ import annotations

from bot.core.errors import Expired, NotFound, UserError
from bot.core.map import MapGrant, MapInputs, MapLink, MapView, build_map
from bot.core.usecases.packs import member_of, pack_of_command
from bot.core.usecases.workspace import Workspace

NOT_AVAILABLE = (
    "The map page is not available here: this Wolfpack has no public web address yet. "
    "Whoever runs it can set WOLFPACK_PUBLIC_URL (and serve it with `wolfpack run --http`)."
)
MAP_ELSEWHERE = "Run `/wolfpack map` in the channel of the pack whose map you want to see."
MAP_NOT_MEMBER = "A pack's map is for its members. A pack admin can add you with `/wolfpack setup`."
EXPIRED = "This link has expired; ask for a new one with /wolfpack map."
GONE = "This pack is gone."
NO_LONGER_MEMBER = "This link's member is no longer in the pack."


def issue_link(ws: Workspace, channel_id: str, user_id: str) -> MapLink:
    """`/wolfpack map`: a link to the map of the channel's pack (or the member's only pack),
    for a member of it. Writes nothing."""
    with ws.reading() as uow:
        pack, _ = pack_of_command(
            uow, channel_id, user_id, elsewhere=MAP_ELSEWHERE, not_member=MAP_NOT_MEMBER
        )
    if ws.map_links is None:
        raise UserError(NOT_AVAILABLE)
    grant = MapGrant(ws.team_id, pack.id, user_id, ws.now())
    return MapLink(pack, ws.map_links.url(grant), grant.expires_at)


def map_page(ws: Workspace, grant: MapGrant) -> MapView:
    """The page a verified link shows: Expired past its lifetime, NotFound for a workspace or
    pack that is gone, NotAllowed for a member who has left. Only this workspace's rows and
    only the grant's pack are read."""
    now = ws.now()
    if grant.expired(now):
        raise Expired(EXPIRED)
    if grant.team_id != ws.team_id or grant.team_id not in ws.db.team_ids():
        # Looked up first: a unit of work on an unknown workspace would create it.
        raise NotFound(GONE)
    with ws.reading() as uow:
        pack, _ = member_of(
            uow, grant.pack_id, grant.user_id, gone=GONE, not_member=NO_LONGER_MEMBER
        )
        proposals = uow.proposals.of_pack(pack.id)
        inputs = MapInputs(
            pack=pack,
            reader=grant.user_id,
            members=uow.members.of_pack(pack.id),
            statements=uow.statements.of_pack(pack.id, include_hidden=True),
            votes=uow.statements.votes(pack.id),
            proposals=proposals,
            responses=uow.proposals.responses_for([p.id for p in proposals]),
        )
    return build_map(inputs, now)
