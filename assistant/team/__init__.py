"""People write as themselves (docs/team.md): customer owners ("my calls"), a signature per
person, several contacts per customer and the policy's routing of steps to them, and the
weekly salespeople digest. SQL in `assistant/storage/team_repo.py`."""

# The step of a salesperson digest draft (team/digest.py): the send-time re-check and the
# re-rendering of queued drafts treat it apart (it is about many customers).
DIGEST_STEP = "salesperson_digest"
