"""Prompts of the Magentic-One orchestrator (accord's own wording; placeholders as in AutoGen's)."""

from __future__ import annotations

__all__ = [
    "ORCHESTRATOR_FINAL_ANSWER_PROMPT",
    "ORCHESTRATOR_PROGRESS_LEDGER_PROMPT",
    "ORCHESTRATOR_TASK_LEDGER_FACTS_PROMPT",
    "ORCHESTRATOR_TASK_LEDGER_FACTS_UPDATE_PROMPT",
    "ORCHESTRATOR_TASK_LEDGER_FULL_PROMPT",
    "ORCHESTRATOR_TASK_LEDGER_PLAN_PROMPT",
    "ORCHESTRATOR_TASK_LEDGER_PLAN_UPDATE_PROMPT",
]

ORCHESTRATOR_TASK_LEDGER_FACTS_PROMPT = """Here is a request to work on:

{task}

Before starting, survey what is known and what is not. Write a short pre-survey with these four headings, in
this order, listing items under each (write "None" if a heading is empty):

    1. GIVEN OR VERIFIED FACTS
    2. FACTS TO LOOK UP
    3. FACTS TO DERIVE
    4. EDUCATED GUESSES

Under GIVEN OR VERIFIED FACTS list only what the request itself states or what is certain. Under FACTS TO LOOK UP
list what must be found, and where it might be found. Under FACTS TO DERIVE list what can be worked out by
reasoning or computation. Under EDUCATED GUESSES list hunches and recalled knowledge that are likely but unverified.
Do not plan yet; answer with the four headings only.
"""

ORCHESTRATOR_TASK_LEDGER_PLAN_PROMPT = """Now write a short plan to carry out the request with this team:

{team}

Give the plan as a bullet list of steps. Name the team member who should do each step. Only involve the members
the request actually needs.
"""

ORCHESTRATOR_TASK_LEDGER_FULL_PROMPT = """We are working on this request:

{task}

The team working on it:

{team}

What we know so far:

{facts}

The plan to follow:

{plan}
"""

ORCHESTRATOR_TASK_LEDGER_FACTS_UPDATE_PROMPT = """We have not finished this request yet:

{task}

This is the fact sheet we wrote earlier:

{facts}

Rewrite the fact sheet with what we have learned since, keeping the same four headings (GIVEN OR VERIFIED
FACTS, FACTS TO LOOK UP, FACTS TO DERIVE, EDUCATED GUESSES). Move guesses that turned out true into the verified
facts, and add at least one new educated guess that could help. Answer with the updated fact sheet only.
"""

ORCHESTRATOR_TASK_LEDGER_PLAN_UPDATE_PROMPT = """The team got stuck. In one or two sentences, say why, then write a
new plan that avoids the same problem. The team:

{team}

Give the new plan as a bullet list of steps, naming the member for each step.
"""

ORCHESTRATOR_PROGRESS_LEDGER_PROMPT = """Recall the request we are working on:

{task}

And the team:

{team}

Answer the following questions to decide what happens next:

    - Is the request fully satisfied? (True if it is done; False if it is not, or if work remains.)
    - Are we in a loop, repeating the same requests or answers? (True if the last few turns repeat.)
    - Are we making progress? (True if recent turns brought us closer to the goal; False if we are stuck, blocked
      or looping.)
    - Who should speak next? (Choose one of: {names})
    - What instruction or question should go to them? (Phrase it as if talking to them directly, with the
      details they need.)

Answer only with JSON in exactly this shape, nothing else:

    {{
       "is_request_satisfied": {{"reason": string, "answer": boolean}},
       "is_in_loop": {{"reason": string, "answer": boolean}},
       "is_progress_being_made": {{"reason": string, "answer": boolean}},
       "next_speaker": {{"reason": string, "answer": string (one of: {names})}},
       "instruction_or_question": {{"reason": string, "answer": string}}
    }}
"""

ORCHESTRATOR_FINAL_ANSWER_PROMPT = """We have finished working on this request:

{task}

From everything said above, write the final answer for the person who made the request. Address them directly,
give the answer itself first, and include the details they need. If the request could not be completed, say
what was found and what is missing.
"""
