"""What the flow may play next (``Interpreter.upcoming_prompts``, pure): the prompts a channel renders
while the caller listens. Exactly the prompts (text, language, voice) the interpreter plays later."""
from __future__ import annotations

from callcenter.ivr.channel import CallInfo, Prompt
from callcenter.ivr.interpreter import Digits, Interpreter, Play, Recognize
from callcenter.ivr.lookahead import LIMIT

from .helpers import flow_of

FLOW = """
flow: ahead
language: en-US
languages: [en-US, fr-FR]
voice: en-us+f2
start: menu
variables: {name: Ann}
nodes:
  menu:
    type: menu
    prompt: {en-US: "Say billing.", fr-FR: "Dites facturation."}
    no_match: {en-US: "Sorry.", fr-FR: "Pardon."}
    options:
      - {digit: "1", key: billing, say: {en-US: [billing], fr-FR: [facturation]}, next: route}
      - {digit: "2", key: hello, say: {en-US: [hello], fr-FR: [bonjour]}, next: hello}
      - {digit: "3", key: french, say: {en-US: [french], fr-FR: [francais]}, next: french}
    on_fail: bye
  route:
    type: branch
    cases:
      - {if: "name == 'Ann'", next: billing}
    else: bye
  billing:
    type: play
    prompt:
      en-US: [{text: "Billing."}, {text: "Your account is ${name}."}, {digits: "42"}, {text: "Cheerio.", voice: en-gb}]
      fr-FR: "Facturation."
    next: bye
  hello:
    type: play
    prompt: {en-US: "Hello ${name}.", fr-FR: "Bonjour ${name}."}
    next: bye
  french:
    type: language
    language: fr-FR
    next: menu_fr
  menu_fr:
    type: play
    prompt: {en-US: "Never heard in English.", fr-FR: "Bienvenue."}
    next: bye
  bye: {type: hangup, prompt: {en-US: "Goodbye.", fr-FR: "Au revoir."}}
"""


def waiting_at_menu(language: str = "en-US"):
    interp = Interpreter(flow_of(FLOW))
    state, actions = interp.start(CallInfo("c1", language=language), 0.0, True)
    assert state.node == "menu" and isinstance(actions[-1], (Recognize, Play)), actions
    return interp, state


def test_the_static_prompts_the_menu_leads_to_nearest_first_with_their_language_and_voice():
    interp, state = waiting_at_menu()
    got = interp.upcoming_prompts(state, 0.0)
    assert got == [Prompt("text", "Sorry.", "en-US", "en-us+f2"),          # the menu's own re-prompt
                   Prompt("text", "Goodbye.", "en-US", "en-us+f2"),        # on_fail, one step away
                   Prompt("text", "Billing.", "en-US", "en-us+f2"),        # through the branch
                   Prompt("digits", "42", "en-US", "en-us+f2"),
                   Prompt("text", "Cheerio.", "en-US", "en-gb")]           # an item's own voice
    # ${...} text is not known before its node runs: never rendered ahead ("Hello ${name}" included);
    # the language node stops the walk (the next prompts are in another language)
    assert not any("Ann" in p.value or "Bienvenue" in p.value or "Never" in p.value for p in got)


def test_the_callers_language_picks_the_variant():
    interp, state = waiting_at_menu("fr-FR")
    got = interp.upcoming_prompts(state, 0.0)
    assert [p.value for p in got] == ["Pardon.", "Au revoir.", "Facturation."]
    assert {p.language for p in got} == {"fr-FR"}


def test_what_is_played_later_is_what_was_announced():
    interp, state = waiting_at_menu()
    ahead = set(interp.upcoming_prompts(state, 0.0))
    state, actions = interp.step(state, Digits("1"), 0.0)
    played = [a for a in actions if isinstance(a, Play)][0].prompts
    static = [p for p in played if "Ann" not in p.value]
    assert static and set(static) <= ahead


def test_bounded_and_never_raising():
    options = "\n".join(f"      - {{key: k{i}, say: [word{i}], next: p{i}}}" for i in range(20))
    plays = "\n".join(f"  p{i}: {{type: play, prompt: \"Prompt {i}.\", next: bye}}" for i in range(20))
    flow = flow_of(f"""
flow: many
start: menu
nodes:
  menu:
    type: menu
    prompt: "Choose."
    options:
{options}
    on_fail: bye
{plays}
  bye: {{type: hangup}}
""")
    interp = Interpreter(flow)
    state, _ = interp.start(CallInfo("c1"), 0.0, True)
    got = interp.upcoming_prompts(state, 0.0)
    assert len(got) == LIMIT and got[0].value == "Prompt 0."
    state.node = "no such node"
    assert interp.upcoming_prompts(state, 0.0) == []
