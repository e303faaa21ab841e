"""Votes from reactions, and the must-read list: the platform-free rules."""

from bot.models import ChannelRef, Paper
from bot.store import Store
from bot.chat.votes import Reaction, VoteBook

T = ChannelRef("slack", "C0123")


def book(tmp_path, threshold=2) -> VoteBook:
    store = Store(tmp_path / "v.db")
    store.save_papers([Paper(id=f"2602.1228{n}", version=1, title=f"Paper {n}", abstract="A.") for n in range(1, 4)])
    for n in range(1, 4):
        store.save_post(T, "2026-02-09", f"paper:2602.1228{n}", message=f"1700.{n}", thread="1700.0",
                        paper_id=f"2602.1228{n}")
    store.save_post(T, "2026-02-09", "parent", message="1700.0", thread=None)
    return VoteBook(store, emoji=("star", "+1"), threshold=threshold)


def vote(b, user, message="1700.1", emoji="star", added=True, event_id=None):
    return b.react(Reaction(T, message, user, emoji, added, event_id), bot_user="UBOT")


def test_threshold_distinct_voters_and_order(tmp_path):
    b = book(tmp_path)
    vote(b, "U1")
    vote(b, "U1", emoji="+1")  # one vote per user however many emoji
    assert b.must_read(T) == []
    vote(b, "U2")
    for user in ("U1", "U2", "U3"):
        vote(b, user, message="1700.2")
    [first, second] = b.must_read(T)
    assert (first.paper.id, first.votes, first.voters) == ("2602.12282", 3, ("U1", "U2", "U3"))
    assert (second.paper.id, second.votes) == ("2602.12281", 2) and second.posted_at


def test_removing_a_reaction_removes_the_vote_but_another_emoji_keeps_it(tmp_path):
    b = book(tmp_path)
    vote(b, "U1"), vote(b, "U1", emoji="+1"), vote(b, "U2")
    vote(b, "U1", emoji="+1", added=False)
    assert [m.votes for m in b.must_read(T)] == [2]
    vote(b, "U1", added=False)
    assert b.must_read(T) == []


def test_ignored_reactions(tmp_path):
    b = book(tmp_path, threshold=1)
    assert not vote(b, "UBOT")  # the bot's own
    assert not vote(b, "U1", emoji="heart")  # not a vote emoji
    assert not vote(b, "U1", message="1700.0")  # the parent message is not a paper
    assert not vote(b, "U1", message="9999.9")  # a message we did not post
    assert b.must_read(T) == []


def test_a_redelivered_event_counts_once(tmp_path):
    b = book(tmp_path, threshold=1)
    assert vote(b, "U1", event_id="Ev1")
    assert not vote(b, "U1", added=False, event_id="Ev1")  # same id again: a retry, not a new event
    assert [m.votes for m in b.must_read(T)] == [1]


def test_done_takes_a_paper_off_the_list(tmp_path):
    b = book(tmp_path, threshold=1)
    vote(b, "U1"), vote(b, "U1", message="1700.2")
    assert b.done(T, "arXiv:2602.12281v1", "U1") == "2602.12281"
    assert [m.paper.id for m in b.must_read(T)] == ["2602.12282"]
    assert b.must_read(ChannelRef("slack", "COTHER")) == []  # lists are per channel


def test_a_reaction_in_a_thread_counts_for_its_channel(tmp_path):
    # Discord names the thread as the channel of a reaction in it; the thread has the parent's id.
    b = book(tmp_path, threshold=1)
    channel, thread = ChannelRef("discord", "1100000000000000010"), "1200000000000000000"
    b.store.save_post(channel, "2026-02-09", "paper:2602.12281", message="1200000000000000001", thread=thread,
                      paper_id="2602.12281")
    assert b.react(Reaction(ChannelRef("discord", thread), "1200000000000000001", "7", "star", True), bot_user="1")
    assert [m.paper.id for m in b.must_read(channel)] == ["2602.12281"]
    # The same message id under another thread, or another platform, is not this post.
    assert not b.react(Reaction(ChannelRef("discord", "1300000000000000000"), "1200000000000000001", "8", "star", True), bot_user="1")
    assert not b.react(Reaction(ChannelRef("slack", thread), "1200000000000000001", "8", "star", True), bot_user="1")


def test_taking_back_one_of_two_reactions_keeps_the_vote(tmp_path):
    b = book(tmp_path, threshold=1)
    b.store.save_post(T, "2026-02-09", "paper:2602.12281:1", message="1700.11", thread="1700.0", paper_id="2602.12281")
    vote(b, "U1"), vote(b, "U1", message="1700.11")  # both pages of one paper's reply
    vote(b, "U1", message="1700.11", added=False)
    assert [(m.paper.id, m.votes) for m in b.must_read(T)] == [("2602.12281", 1)]
    # Discord keeps 👍 and 👍🏽 apart although both count as "+1".
    b.react(Reaction(T, "1700.2", "U2", "+1", True, exact="👍"), bot_user="UBOT")
    b.react(Reaction(T, "1700.2", "U2", "+1", True, exact="👍🏽"), bot_user="UBOT")
    b.react(Reaction(T, "1700.2", "U2", "+1", False, exact="👍🏽"), bot_user="UBOT")
    assert "2602.12282" in [m.paper.id for m in b.must_read(T)]


def test_a_down_vote_is_kept_for_the_taste_and_never_counts_for_the_list(tmp_path):
    b = book(tmp_path, threshold=1)
    b.down_emoji = frozenset({"-1"})
    assert b.react(Reaction(T, "1700.1", "U1", "-1", True, "Ev-down"), bot_user="UBOT")
    assert b.must_read(T) == []
    [row] = b.store.db.query("select paper_id, kind from votes")
    assert row == {"paper_id": "2602.12281", "kind": "down"}
    assert b.react(Reaction(T, "1700.1", "U1", "-1", False, "Ev-undown"), bot_user="UBOT")
    assert list(b.store.db.query("select * from votes")) == []
