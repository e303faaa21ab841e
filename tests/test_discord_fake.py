"""FakeDiscord driven by the real discord.py: REST, gateway, slash commands, threads, reactions."""

from __future__ import annotations

import asyncio
import time

import discord
import pytest
from discord import app_commands

from testkit.discord_fake import (
    APP_ID,
    BOT_USER_ID,
    CHANNEL_ID,
    GUILD_ID,
    INTENT_MESSAGE_CONTENT,
    OTHER_CHANNEL_ID,
    ROUTE_CALLBACK,
    ROUTE_FOLLOWUP,
    ROUTE_GET_CHANNEL,
    ROUTE_SEND,
    ROUTE_THREAD,
    USER_ID,
    USER_ID_2,
    FakeDiscord,
    message_errors,
    point_discord_at,
    started_client,
    thread_name_errors,
)

ARXIV_ID = "2602.12281"


@pytest.fixture
async def fake():
    async with FakeDiscord() as f:
        yield f
        assert f.errors == []  # a bug inside the fake would otherwise only show as a 500


def make_client(intents: discord.Intents | None = None) -> discord.Client:
    # guild_ready_timeout: discord.py otherwise waits 2 s for more GUILD_CREATEs before on_ready
    return discord.Client(intents=intents or discord.Intents.default(), guild_ready_timeout=0.05,
                          allowed_mentions=discord.AllowedMentions.none())


def mustread_tree(client: discord.Client, seen: list) -> app_commands.CommandTree:
    """/mustread list and /mustread done id:<arxiv id>, as the bot will have them."""
    tree = app_commands.CommandTree(client)
    group = app_commands.Group(name="mustread", description="Papers the team should read")

    @group.command(name="list", description="Show the must-read list")
    async def list_(interaction: discord.Interaction) -> None:
        seen.append(("list",))
        await interaction.response.send_message("Nothing on the list yet", ephemeral=True)

    @group.command(name="done", description="Mark a paper as read")
    @app_commands.describe(id="The arXiv id")
    async def done(interaction: discord.Interaction, id: str) -> None:
        seen.append(("done", id))
        await interaction.response.defer(thinking=True)
        await interaction.followup.send(f"Marked {id} as read")

    tree.add_command(group)
    return tree


# -- connecting ------------------------------------------------------------------------------------
async def test_connect_fires_on_ready_caches_the_guild_and_records_intents(fake):
    fake.add_channel(OTHER_CHANNEL_ID, GUILD_ID, name="secret", access=False)
    client = make_client()
    ready = asyncio.Event()

    @client.event
    async def on_ready():
        ready.set()

    async with started_client(fake, client):
        assert ready.is_set()
        assert client.user.id == int(BOT_USER_ID) and client.user.bot
        assert client.application_id == int(APP_ID)
        channel = client.get_channel(int(CHANNEL_ID))
        assert isinstance(channel, discord.TextChannel) and channel.name == "papers"
        assert channel.guild.id == int(GUILD_ID) and channel.guild.name == "Paper Club"
        me = channel.guild.me
        assert channel.permissions_for(me).send_messages and channel.permissions_for(me).create_public_threads
        assert not client.get_channel(int(OTHER_CHANNEL_ID)).permissions_for(me).view_channel
        assert channel.guild.default_role.id == int(GUILD_ID)  # @everyone's id is the guild's

    assert fake.identifies == 1 and fake.resumes == 0 and fake.connections == 1
    identify = fake.identify_payloads[0]
    assert identify["intents"] == discord.Intents.default().value and identify["token"] == fake.token
    assert fake.gateway_queries[0]["v"] == "10" and fake.gateway_queries[0]["encoding"] == "json"
    assert [c.route for c in fake.calls[:2]] == ["GET /users/@me", "GET /oauth2/applications/@me"]
    assert [d.t for d in fake.dispatches[:2]] == ["READY", "GUILD_CREATE"]


async def test_wrong_token_is_a_login_failure(fake):
    with pytest.raises(discord.LoginFailure):
        async with started_client(fake, make_client(), token="not-the-token"):
            pass
    assert fake.calls[0].status == 401 and fake.identifies == 0


async def test_privileged_intents_need_enabling_in_the_portal(fake):
    intents = discord.Intents.default()
    intents.message_content = True
    with pytest.raises(discord.PrivilegedIntentsRequired):
        async with started_client(fake, make_client(intents)):
            pass
    assert fake.identify_payloads[0]["intents"] & INTENT_MESSAGE_CONTENT


# -- slash commands --------------------------------------------------------------------------------
async def test_tree_sync_global_and_per_guild(fake):
    client = make_client()
    tree = mustread_tree(client, [])

    @tree.command(name="paper", description="Read one paper", guild=discord.Object(int(GUILD_ID)))
    async def paper(interaction: discord.Interaction, arxiv_id: str) -> None:
        pass

    async with started_client(fake, client):
        synced = await tree.sync()
        guild_synced = await tree.sync(guild=discord.Object(int(GUILD_ID)))
        again = await tree.sync()

    assert [c.name for c in synced] == ["mustread"] and [c.name for c in guild_synced] == ["paper"]
    mustread = fake.global_commands[0]
    assert mustread["id"] == str(synced[0].id) == str(again[0].id)  # ids survive a re-sync
    assert mustread["application_id"] == APP_ID
    subs = {o["name"]: o for o in mustread["options"]}
    assert subs["done"]["type"] == 1 and subs["done"]["options"][0] == {
        "name": "id", "description": "The arXiv id", "type": 3, "required": True}
    assert [c["name"] for c in fake.guild_commands(GUILD_ID)] == ["paper"]
    assert fake.guild_commands(GUILD_ID)[0]["guild_id"] == GUILD_ID


async def test_subcommands_reach_their_callbacks_with_their_options(fake):
    client = make_client()
    seen: list = []
    tree = mustread_tree(client, seen)
    async with started_client(fake, client):
        await tree.sync()
        listed = await fake.interaction("mustread", subcommand="list")
        done = await fake.interaction("mustread", {"id": ARXIV_ID}, subcommand="done", user_id=USER_ID_2)
        await fake.wait_until(lambda: len(fake.followups(done)) == 1)

    assert seen == [("list",), ("done", ARXIV_ID)]
    assert done.payload["data"]["options"] == [
        {"name": "done", "type": 1, "options": [{"name": "id", "type": 3, "value": ARXIV_ID}]}]
    assert done.payload["data"]["id"] == fake.global_commands[0]["id"]
    assert done.payload["member"]["user"]["id"] == USER_ID_2
    assert [c.type for c in fake.callbacks(listed)] == [4]
    with pytest.raises(LookupError):  # Discord never sends a command that was not synced
        fake.interaction_payload("nope")
    with pytest.raises(LookupError):
        fake.interaction_payload("mustread", {"paper": ARXIV_ID}, subcommand="done")


async def test_defer_then_follow_up_is_ordered_and_fills_the_thinking_message(fake):
    client = make_client()
    tree = app_commands.CommandTree(client)

    @tree.command(name="paper", description="Read one paper")
    async def paper(interaction: discord.Interaction, arxiv_id: str) -> None:
        await interaction.response.defer(thinking=True)
        await interaction.followup.send(f"Paper {arxiv_id}", embed=discord.Embed(title="Quick read"))
        await interaction.followup.send("One more thing")

    async with started_client(fake, client):
        await tree.sync()
        inter = await fake.interaction("paper", {"arxiv_id": ARXIV_ID})
        await fake.wait_until(lambda: len(fake.followups(inter)) == 2)

    [callback] = fake.callbacks(inter)
    first, second = fake.followups(inter)
    assert callback.type == 5 and not callback.ephemeral
    assert callback.seq < first["seq"] < second["seq"]
    # Discord: the first follow-up after a defer edits the "thinking" message, later ones are new
    assert first["replaced_original"] and not second["replaced_original"]
    original, followup = fake.messages(CHANNEL_ID)
    assert original["kind"] == "original" and original["id"] == first["message_id"]
    assert original["content"] == f"Paper {ARXIV_ID}" and original["embeds"][0]["title"] == "Quick read"
    assert not original["loading"] and original["edited_seq"] == first["seq"]
    assert followup["kind"] == "followup" and followup["content"] == "One more thing"
    assert original["webhook"] and followup["interaction_id"] == inter.id
    assert [c.status for c in fake.calls_to(ROUTE_CALLBACK) + fake.calls_to(ROUTE_FOLLOWUP)] == [200, 200, 200]


async def test_ephemeral_flags_are_recorded_and_the_defer_decides(fake):
    client = make_client()
    tree = mustread_tree(client, [])

    @tree.command(name="quiet", description="Defer publicly, follow up privately")
    async def quiet(interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True)
        await interaction.followup.send("meant to be private", ephemeral=True)

    async with started_client(fake, client):
        await tree.sync()
        listed = await fake.interaction("mustread", subcommand="list")
        quiet_one = await fake.interaction("quiet")
        await fake.wait_until(lambda: fake.callbacks(listed) and fake.followups(quiet_one))

    [callback] = fake.callbacks(listed)
    assert callback.type == 4 and callback.data["flags"] == 64 and callback.ephemeral
    listed_msg = next(m for m in fake.messages(CHANNEL_ID) if m["interaction_id"] == listed.id)
    assert listed_msg["ephemeral"] and listed_msg["content"] == "Nothing on the list yet"
    # the pitfall: after a public defer, an ephemeral follow-up ends up public
    [followup] = fake.followups(quiet_one)
    assert followup["flags"] == 64 and followup["replaced_original"] and not followup["ephemeral"]


async def test_interaction_rules_late_response_and_early_follow_up(fake):
    client = make_client()
    tree = app_commands.CommandTree(client)
    errors: list[discord.HTTPException] = []

    @tree.command(name="slow", description="Answers too late")
    async def slow(interaction: discord.Interaction) -> None:
        try:
            await interaction.followup.send("before any response")
        except discord.HTTPException as exc:
            errors.append(exc)
        fake.callback_deadline = 0  # as if 3 s had passed
        try:
            await interaction.response.defer()
        except discord.HTTPException as exc:
            errors.append(exc)

    async with started_client(fake, client):
        await tree.sync()
        await fake.interaction("slow")
        await fake.wait_until(lambda: len(errors) == 2)

    assert [(type(e), e.code) for e in errors] == [(discord.NotFound, 10015), (discord.NotFound, 10062)]
    assert fake.messages() == []


# -- messages, threads, limits ----------------------------------------------------------------------
async def test_embeds_thread_and_reply_in_thread(fake):
    client = make_client()
    async with started_client(fake, client):
        channel = client.get_channel(int(CHANNEL_ID))
        embeds = [discord.Embed(title=f"Paper {n}", description="Why it matters") for n in range(3)]
        parent = await channel.send("Today's papers", embeds=embeds)
        thread = await parent.create_thread(name="Digest 2026-02-09", auto_archive_duration=1440)
        reply = await thread.send("Paper 0, in depth")
        cached = await fake.wait_until(lambda: channel.guild.get_thread(thread.id))  # THREAD_CREATE arrived
        with pytest.raises(discord.HTTPException) as again:
            await parent.create_thread(name="A second one")
        with pytest.raises(discord.HTTPException) as long_name:
            await reply.create_thread(name="x" * 101)

    assert thread.id == parent.id and thread.parent_id == channel.id and cached.name == "Digest 2026-02-09"
    [posted] = fake.messages(CHANNEL_ID)
    assert posted["id"] == str(parent.id) and posted["content"] == "Today's papers"
    assert [e["title"] for e in posted["embeds"]] == ["Paper 0", "Paper 1", "Paper 2"]
    assert posted["allowed_mentions"] == {"parse": []} and posted["flags"] == 0
    [in_thread] = fake.messages(str(thread.id))
    assert in_thread["id"] == str(reply.id) and in_thread["content"] == "Paper 0, in depth"
    stored = fake.threads[str(parent.id)]
    assert stored["type"] == 11 and stored["parent_id"] == CHANNEL_ID and stored["message_count"] == 1
    assert posted["seq"] < fake.calls_to(ROUTE_THREAD)[0].seq < in_thread["seq"]
    assert (again.value.status, again.value.code) == (400, 160004)
    # a message inside a thread cannot start another one
    assert (long_name.value.status, long_name.value.code) == (400, 50024)


async def test_over_long_embed_description_is_invalid_form_body(fake):
    client = make_client()
    embed = discord.Embed(title="Too long", description="y" * 4097)
    async with started_client(fake, client):
        with pytest.raises(discord.HTTPException) as err:
            await client.get_channel(int(CHANNEL_ID)).send(embed=embed)

    assert (err.value.status, err.value.code) == (400, 50035)
    assert "embeds.0.description" in err.value.text
    assert message_errors({"embeds": [embed.to_dict()]}) == ["embeds.0.description: Must be 4096 or fewer in length."]
    assert fake.messages(CHANNEL_ID) == [] and fake.calls_to(ROUTE_SEND)[0].code == 50035


def test_message_errors_covers_discords_limits():
    ok = {"content": "x" * 2000, "embeds": [{"title": "t" * 256, "description": "d" * 4096}]}
    assert message_errors(ok) == []
    assert message_errors({"content": "x" * 2001}) == ["content: Must be 2000 or fewer in length."]
    assert message_errors({}) == message_errors({"content": "   "}) == ["Cannot send an empty message"]
    eleven = {"content": "hi", "embeds": [{"title": "t"}] * 11}
    assert message_errors(eleven) == ["embeds: Must be 10 or fewer in length."]
    assert message_errors({"embeds": [{"title": "t" * 257}]}) == ["embeds.0.title: Must be 256 or fewer in length."]
    fields = [{"name": "n", "value": "v"}] * 26
    assert message_errors({"embeds": [{"fields": fields}]}) == ["embeds.0.fields: Must be 25 or fewer in length."]
    bad_fields = [{"name": "", "value": "v"}, {"name": "n", "value": "v" * 1025}, {"name": "n" * 257, "value": "v"}]
    assert message_errors({"embeds": [{"fields": bad_fields}]}) == [
        "embeds.0.fields.0.name: Must be between 1 and 256 in length.",
        "embeds.0.fields.1.value: Must be between 1 and 1024 in length.",
        "embeds.0.fields.2.name: Must be between 1 and 256 in length."]
    assert message_errors({"embeds": [{"footer": {"text": "f" * 2049}, "author": {"name": "a" * 257}}]}) == [
        "embeds.0.footer.text: Must be between 1 and 2048 in length.",
        "embeds.0.author.name: Must be between 1 and 256 in length."]
    # every embed within its own limits, but 8000 characters in all
    assert message_errors({"embeds": [{"description": "d" * 4000}] * 2}) == [
        "embeds: Embed size exceeds maximum size of 6000"]
    assert thread_name_errors("") == ["name: Must be between 1 and 100 in length."]
    assert thread_name_errors("x" * 100) == []


async def test_rate_limit_is_waited_out_and_the_message_lands_once_in_order(fake):
    client = make_client()
    async with started_client(fake, client):
        channel = client.get_channel(int(CHANNEL_ID))
        await channel.send("first")
        fake.rate_limit_next(ROUTE_SEND, times=2, retry_after=0.05)
        started = time.monotonic()
        second = await channel.send("second")
        waited = time.monotonic() - started
        await channel.send("third")

    assert waited >= 0.1  # discord.py slept retry_after twice
    assert [c.status for c in fake.calls_to(ROUTE_SEND)] == [200, 429, 429, 200, 200]
    assert [m["content"] for m in fake.messages(CHANNEL_ID)] == ["first", "second", "third"]
    assert fake.messages(CHANNEL_ID)[1]["id"] == str(second.id)


async def test_after_then_fail_next_fails_the_right_call(fake):
    client = make_client()
    async with started_client(fake, client):
        channel = client.get_channel(int(CHANNEL_ID))
        # 503, not 500: discord.py retries 500 after a real one-second sleep
        fake.after(ROUTE_SEND, 2).fail_next(ROUTE_SEND, status=503)
        await channel.send("one")
        await channel.send("two")
        with pytest.raises(discord.DiscordServerError):
            await channel.send("three")
        await channel.send("four")
    assert [m["content"] for m in fake.messages(CHANNEL_ID)] == ["one", "two", "four"]
    assert [c.status for c in fake.calls_to(ROUTE_SEND)] == [200, 200, 503, 200]
    with pytest.raises(ValueError):  # a typo in a route would silently never match
        fake.fail_next("POST /channels/{id}/messages")


async def test_unknown_and_forbidden_channels(fake):
    fake.add_channel(OTHER_CHANNEL_ID, GUILD_ID, name="read-only", send=False)
    fake.add_channel("1100000000000000012", GUILD_ID, name="hidden", access=False)
    client = make_client()
    async with started_client(fake, client):
        with pytest.raises(discord.NotFound) as unknown:
            await client.fetch_channel(1100000000000000999)
        with pytest.raises(discord.Forbidden) as hidden:
            await client.fetch_channel(1100000000000000012)
        with pytest.raises(discord.Forbidden) as read_only:
            await client.get_channel(int(OTHER_CHANNEL_ID)).send("hi")
        fetched = await client.fetch_channel(int(CHANNEL_ID))
        with pytest.raises(discord.NotFound):  # a route the fake does not know: 404, and recorded
            await client.http.request(discord.http.Route("GET", "/guilds/{guild_id}/members", guild_id=GUILD_ID))

    assert unknown.value.code == 10003 and hidden.value.code == 50001 and read_only.value.code == 50013
    assert fetched.name == "papers"
    assert [c.status for c in fake.calls_to(ROUTE_GET_CHANNEL)] == [404, 403, 200]
    assert fake.calls[-1].route == f"GET /guilds/{GUILD_ID}/members" and fake.calls[-1].status == 404


# -- gateway events --------------------------------------------------------------------------------
async def test_raw_reactions_reach_the_client(fake):
    client = make_client()
    events: list[tuple[str, discord.RawReactionActionEvent]] = []

    @client.event
    async def on_raw_reaction_add(payload):
        events.append(("add", payload))

    @client.event
    async def on_raw_reaction_remove(payload):
        events.append(("remove", payload))

    async with started_client(fake, client):
        message = await client.get_channel(int(CHANNEL_ID)).send("Vote for tomorrow's paper")
        mid = str(message.id)
        await fake.reaction(USER_ID, CHANNEL_ID, mid, "👍")
        await fake.reaction(USER_ID, CHANNEL_ID, mid, "👍", added=False)
        await fake.wait_until(lambda: len(events) == 2)

    (kind0, add), (kind1, remove) = events
    assert (kind0, kind1) == ("add", "remove")
    assert add.emoji.name == "👍" and add.emoji.id is None and add.user_id == int(USER_ID)
    assert (add.message_id, add.channel_id, add.guild_id) == (message.id, int(CHANNEL_ID), int(GUILD_ID))
    assert add.member is not None and add.member.id == int(USER_ID)
    assert remove.emoji.name == "👍" and remove.user_id == int(USER_ID) and remove.member is None


async def test_reconnect_resumes_and_later_events_still_arrive(fake):
    client = make_client()
    resumed = asyncio.Event()
    events: list[str] = []

    @client.event
    async def on_resumed():
        resumed.set()

    @client.event
    async def on_raw_reaction_add(payload):
        events.append(payload.emoji.name)

    async with started_client(fake, client):
        message = await client.get_channel(int(CHANNEL_ID)).send("Still here?")
        await fake.send_reconnect()
        # sent while the client is away: queued and replayed on RESUME
        await fake.reaction(USER_ID, CHANNEL_ID, str(message.id), "📌")
        await fake.wait_until(resumed.is_set)
        await fake.reaction(USER_ID, CHANNEL_ID, str(message.id), "✅")
        await fake.wait_until(lambda: len(events) == 2)
        assert fake.connected

    assert events == ["📌", "✅"]
    assert fake.identifies == 1 and fake.resumes == 1 and fake.connections == 2
    assert fake.resume_payloads[0]["session_id"] == fake.dispatches[0].d["session_id"]


def test_sync_use_and_pointing_discord_at_the_fake():
    before = (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
    with FakeDiscord() as fake:
        assert fake.api_base == f"http://127.0.0.1:{fake.port}/api/v10"
        with point_discord_at(fake):
            assert discord.http.Route.BASE == fake.api_base
            assert str(discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY) == fake.gateway_url
    assert (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY) == before
