"""The Discord client: `/paper`, `/mustread` and reaction votes, registered in one place.

Respond first, then work: Discord wants an interaction's first response within
3 s, so `/paper` defers ("paperbot is thinking…") before the engine runs, and the
engine never blocks the event loop (network work runs in threads, the LLM client
is async). Votes come from the raw reaction events, which arrive for every
message, also those posted before a restart (the non-raw ones need the message
in the client's cache).
"""

from __future__ import annotations

import contextlib
import logging
from datetime import datetime, timezone

import discord
from discord import app_commands

from bot.config import Config
from bot.engine import Engine
from bot.errors import ConfigError, InvalidPaperId, PaperbotError
from bot.ids import parse_paper_id
from bot.markdown import md
from bot.votes import Reaction, VoteBook

from .embeds import analysis_messages, inert, pack, paper_request_message, request_thread_name
from .outlet import NO_MENTIONS, explain, intents, send, start_thread, target
from .reactions import VoteEmoji

log = logging.getLogger(__name__)

MAX_LISTED = 40


class PaperBot(discord.Client):
    def __init__(self, engine: Engine, votes: VoteBook, config: Config):
        super().__init__(intents=intents(), allowed_mentions=NO_MENTIONS,
                         guild_ready_timeout=config.discord.guild_ready_timeout_s)
        self.engine = engine
        self.votes = votes
        self.config = config
        self.vote_emoji = VoteEmoji(config.votes.emoji)
        self.tree = app_commands.CommandTree(self)
        self._register()

    # -- commands ----------------------------------------------------------------------------------
    def _register(self) -> None:
        # Server channels only: votes and lists belong to a channel, and threads need one.
        @self.tree.command(name="paper", description="A deep method analysis of an arXiv paper, from its full text")
        @app_commands.guild_only()
        @app_commands.describe(id="an arXiv id or link, e.g. 2602.12281")
        async def paper(interaction: discord.Interaction, id: str) -> None:  # noqa: A002 - the option's name
            await self.paper(interaction, id)

        mustread = app_commands.Group(name="mustread", description="The papers this channel voted for",
                                      guild_only=True)

        @mustread.command(name="list", description="Show the channel's must-read list")
        async def list_(interaction: discord.Interaction) -> None:
            await self.mustread_list(interaction)

        @mustread.command(name="done", description="Take a paper off the must-read list")
        @app_commands.describe(id="the paper's arXiv id, e.g. 2602.12281")
        async def done(interaction: discord.Interaction, id: str) -> None:  # noqa: A002
            await self.mustread_done(interaction, id)

        self.tree.add_command(mustread)

    async def setup_hook(self) -> None:
        """Register the commands with Discord: per server when guild_ids are set (they show at once)."""
        try:
            if self.config.discord.guild_ids:
                for guild_id in self.config.discord.guild_ids:
                    guild = discord.Object(id=guild_id)
                    self.tree.copy_global_to(guild=guild)
                    await self.tree.sync(guild=guild)
                # Global ones from an earlier run without guild_ids would show every command twice.
                self.tree.clear_commands(guild=None)
                await self.tree.sync()
            else:
                await self.tree.sync()
        except discord.HTTPException as exc:
            raise ConfigError(f"Discord refused to register /paper and /mustread ({exc.status} {exc.text}); "
                              "invite the bot with the applications.commands scope (the README's URL) and check "
                              "[discord] guild_ids") from None
        log.info("slash commands registered %s", f"in servers {self.config.discord.guild_ids}"
                 if self.config.discord.guild_ids else "globally (Discord may take up to an hour to show them)")

    async def paper(self, interaction: discord.Interaction, id_text: str) -> None:
        try:
            parse_paper_id(id_text)
        except InvalidPaperId as exc:
            await interaction.response.send_message(inert(md(str(exc))), ephemeral=True)
            return
        await interaction.response.defer(thinking=True)
        try:
            await self._answer_paper(interaction, id_text)
        except PaperbotError as exc:  # e.g. not on arXiv: the sentence replaces "thinking…"
            await interaction.edit_original_response(content=inert(md(str(exc))))
        except Exception:  # never leave the asker with "thinking…" and no word
            log.exception("/paper %s failed", id_text)
            with contextlib.suppress(discord.HTTPException):  # the interaction may be gone (15 min)
                await interaction.followup.send("paperbot could not post this analysis (the error is in its log); "
                                                "try again in a minute.", ephemeral=True)

    async def _answer_paper(self, interaction: discord.Interaction, id_text: str) -> None:
        where = target(home_channel(interaction))
        language = self.config.language_for(where)
        entry = await self.engine.paper(id_text, deep=True, language=language)
        head = await send(interaction.followup, paper_request_message(entry, interaction.user.id), wait=True)
        # Asked inside a thread, the head is in that thread: a reaction on it names the thread.
        here = str(interaction.channel_id) if isinstance(interaction.channel, discord.Thread) else None
        self._record(where, f"request:{head.id}", head.id, here, entry.paper.id)
        try:
            thread = await start_thread(self, interaction.channel_id, head.id, request_thread_name(entry))
            into = self.get_partial_messageable(int(thread))
        except discord.HTTPException as exc:  # e.g. no permission to create threads: answer under the command
            log.warning("/paper %s: no thread (%s); answering in the channel", entry.paper.id, explain(exc, where))
            thread, into = here, interaction.followup
        for n, message in enumerate(analysis_messages(entry, self.vote_emoji.shown, language)):
            reply = await send(into, message, **({"wait": True} if into is interaction.followup else {}))
            # Recorded as posts of the paper: reacting to the analysis is a vote for it.
            self._record(where, f"request:{head.id}:{n}", reply.id, thread, entry.paper.id)
        log.info("/paper %s for %s in %s: posted", entry.paper.id, interaction.user.id, where)

    def _record(self, where: str, item: str, message: int, thread: str | None, paper_id: str) -> None:
        day = datetime.now(timezone.utc).date().isoformat()
        self.engine.store.save_post(where, day, item, message=str(message), thread=thread, paper_id=paper_id)

    async def mustread_list(self, interaction: discord.Interaction) -> None:
        items = self.votes.must_read(target(home_channel(interaction)))
        if not items:
            text = f"_Nothing on the must-read list yet: a paper needs {self.votes.threshold} votes._"
        else:  # mentions are ours (numeric ids from reaction events), so they are added after `inert`
            text = "\n".join(f"{n}. [{inert(md(m.paper.title))}]({m.paper.abs_url}) — {m.votes} votes "
                             f"({', '.join(f'<@{int(v)}>' for v in m.voters)}), posted {(m.posted_at or '—')[:10]}"
                             for n, m in enumerate(items[:MAX_LISTED], 1))
        first, *more = pack("Must read", None, text)
        await interaction.response.send_message(embeds=[discord.Embed.from_dict(e) for e in first.embeds],
                                                ephemeral=True, allowed_mentions=NO_MENTIONS)
        for message in more:
            await send(interaction.followup, message, ephemeral=True)

    async def mustread_done(self, interaction: discord.Interaction, id_text: str) -> None:
        try:
            paper_id = self.votes.done(target(home_channel(interaction)), id_text, str(interaction.user.id))
        except InvalidPaperId as exc:
            await interaction.response.send_message(inert(md(str(exc))), ephemeral=True)
            return
        await interaction.response.send_message(f"{paper_id} is marked as read and off the list.", ephemeral=True)

    # -- votes -------------------------------------------------------------------------------------
    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        self._vote(payload, added=True)

    async def on_raw_reaction_remove(self, payload: discord.RawReactionActionEvent) -> None:
        self._vote(payload, added=False)

    def _vote(self, payload: discord.RawReactionActionEvent, *, added: bool) -> None:
        name = self.vote_emoji.name_of(payload.emoji.name or "")
        if name is None:
            return
        # The channel is the thread for a reaction in one; the votes find the post through it.
        self.votes.react(Reaction(target(payload.channel_id), str(payload.message_id), str(payload.user_id), name,
                                  added, exact=payload.emoji.name), bot_user=str(self.user.id) if self.user else None)


def home_channel(interaction: discord.Interaction) -> int:
    """The channel whose list a command is about: a thread's parent, else the channel itself."""
    channel = interaction.channel
    if isinstance(channel, discord.Thread) and channel.parent_id:
        return channel.parent_id
    return interaction.channel_id
