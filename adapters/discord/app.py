"""The Discord client: Discord's interactions and reactions turned into the core's calls.

Respond first, then work: Discord wants an interaction's first response within
3 s, so `/paper` defers ("paperbot is thinking…") before the core runs, and the
core never blocks the event loop. Votes come from the raw reaction events,
which arrive for every message, also those posted before a restart (the
non-raw ones need the message in the client's cache).
"""

from __future__ import annotations

import logging

import discord
from discord import app_commands

from bot.arxiv.ids import parse_paper_id
from bot.chat.ask import Asker, Question
from bot.chat.desk import Desk, PaperRequest
from bot.chat.votes import Reaction
from bot.config import Config
from bot.errors import ConfigError, InvalidPaperId

from .conversation import NO_MENTIONS, InteractionConversation, channel, intents, inert_text, send
from .reactions import VoteEmoji

log = logging.getLogger(__name__)


class PaperBot(discord.Client):
    def __init__(self, desk: Desk, config: Config, asker: Asker | None = None):
        super().__init__(intents=intents(), allowed_mentions=NO_MENTIONS,
                         guild_ready_timeout=config.discord.guild_ready_timeout_s)
        self.desk = desk
        self.asker = asker
        self.config = config
        self.vote_emoji = VoteEmoji(config.votes.emoji + config.votes.down_emoji)  # what a reaction may mean
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
        if self.asker is not None:
            self._register_ask()

    def _register_ask(self) -> None:
        @self.tree.command(name="ask", description="Ask about the paper of this thread (or the day's papers)")
        @app_commands.guild_only()
        @app_commands.describe(question="your question, e.g. which datasets do they evaluate on?")
        async def ask(interaction: discord.Interaction, question: app_commands.Range[str, 1, 1000]) -> None:
            await self.ask(interaction, question)

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
            raise ConfigError(f"Discord refused to register the slash commands ({exc.status} {exc.text}); "
                              "invite the bot with the applications.commands scope (the README's URL) and check "
                              "[discord] guild_ids") from None
        log.info("slash commands registered %s", f"in servers {self.config.discord.guild_ids}"
                 if self.config.discord.guild_ids else "globally (Discord may take up to an hour to show them)")

    async def paper(self, interaction: discord.Interaction, id_text: str) -> None:
        try:
            parse_paper_id(id_text)
        except InvalidPaperId as exc:
            await interaction.response.send_message(inert_text(str(exc)), ephemeral=True)
            return
        await interaction.response.defer(thinking=True)
        # Asked inside a thread, the answer stays in that thread; its votes belong to the thread's channel.
        thread = str(interaction.channel_id) if isinstance(interaction.channel, discord.Thread) else None
        request = PaperRequest(channel(home_channel(interaction)), str(interaction.user.id), id_text,
                               request_id=str(interaction.id), thread=thread)
        await self.desk.paper(request, InteractionConversation(self, self.config.votes.emoji, interaction))

    async def ask(self, interaction: discord.Interaction, text: str) -> None:
        """A question in a paper's thread: the thread's parent is the home channel, the thread (started from a
        message, so it has the message's id) says which paper. Outside a thread only the asker sees the answer
        (one sentence saying where to ask)."""
        in_thread = isinstance(interaction.channel, discord.Thread)
        await interaction.response.defer(thinking=True, ephemeral=not in_thread)
        question = Question(channel(home_channel(interaction)), str(interaction.channel_id) if in_thread else None,
                            str(interaction.user.id), text, request_id=str(interaction.id))
        await self.asker.ask(question, InteractionConversation(self, self.config.votes.emoji, interaction))

    async def mustread_list(self, interaction: discord.Interaction) -> None:
        conversation = InteractionConversation(self, self.config.votes.emoji, interaction)
        first, *more = conversation.render(self.desk.must_read(channel(home_channel(interaction))))
        await interaction.response.send_message(content=first.content or None,
                                                embeds=[discord.Embed.from_dict(e) for e in first.embeds],
                                                ephemeral=True, allowed_mentions=NO_MENTIONS)
        for message in more:
            await send(interaction.followup, message, ephemeral=True)

    async def mustread_done(self, interaction: discord.Interaction, id_text: str) -> None:
        sentence = self.desk.done(channel(home_channel(interaction)), id_text, str(interaction.user.id))
        await interaction.response.send_message(inert_text(sentence), ephemeral=True)

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
        self.desk.votes.react(Reaction(channel(payload.channel_id), str(payload.message_id), str(payload.user_id),
                                       name, added, exact=payload.emoji.name),
                              bot_user=str(self.user.id) if self.user else None)


def home_channel(interaction: discord.Interaction) -> int:
    """The channel whose list a command is about: a thread's parent, else the channel itself."""
    found = interaction.channel
    if isinstance(found, discord.Thread) and found.parent_id:
        return found.parent_id
    return interaction.channel_id
