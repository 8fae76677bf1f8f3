"""Three ready-made plans with anchored rubrics, so a recruiter can start a job without a model."""

from agents.plans import Competency, Plan, Question, Rubric, Section


def _opening(competency):
    return Section(
        kind="opening",
        title="Opening",
        questions=[
            Question(
                id="background",
                text="To start, could you walk me through your background and what you are "
                "working on now?",
                competency=competency,
                follow_ups=1,
                minutes=3,
            )
        ],
    )


def _closing():
    return [
        Section(
            kind="candidate_questions",
            title="Your questions",
            questions=[
                Question(
                    id="candidate_questions",
                    text="What would you like to ask about the role, the team or the next steps?",
                    required=False,
                    follow_ups=1,
                    minutes=3,
                )
            ],
        ),
        Section(kind="close", title="Close"),
    ]


def _competency_section(title, *questions):
    return Section(kind="competency", title=title, questions=list(questions))


BACKEND_ENGINEER = (
    Plan(
        time_limit_minutes=30,
        sections=[
            _opening("communication"),
            _competency_section(
                "System design",
                Question(
                    id="design_service",
                    text="Tell me about a backend service you designed. What were its main "
                    "parts, and why did you split it that way?",
                    competency="system_design",
                    follow_ups=2,
                    minutes=6,
                ),
                Question(
                    id="scaling",
                    text="When that service had to handle more load, what broke first and what "
                    "did you change?",
                    competency="system_design",
                    follow_ups=2,
                    minutes=5,
                ),
            ),
            _competency_section(
                "Production ownership",
                Question(
                    id="incident",
                    text="Describe a production incident you were part of. How did you find the "
                    "cause, and what did you change afterwards?",
                    competency="production_ownership",
                    follow_ups=2,
                    minutes=5,
                ),
            ),
            _competency_section(
                "Code quality and testing",
                Question(
                    id="testing",
                    text="How do you decide what to test in a change, and what does a good code "
                    "review look like to you?",
                    competency="code_quality",
                    follow_ups=1,
                    minutes=4,
                ),
            ),
            *_closing(),
        ],
    ),
    Rubric(
        competencies=[
            Competency(
                key="system_design",
                name="System design",
                description="Designs services with clear boundaries, data models and trade-offs.",
                levels={
                    "1": "Cannot describe how a system they worked on fits together.",
                    "2": "Describes components but not why they were chosen.",
                    "3": "Explains a sound design and at least one trade-off.",
                    "4": "Weighs alternatives with data, failure modes and cost.",
                    "5": "Designs for scale and change; explains trade-offs crisply and "
                    "knows where the design will break.",
                },
            ),
            Competency(
                key="production_ownership",
                name="Production ownership",
                description="Runs what they build: monitoring, incidents and follow-up.",
                levels={
                    "1": "Has not dealt with production problems.",
                    "2": "Has seen incidents but others diagnosed them.",
                    "3": "Diagnosed an incident with logs or metrics and fixed it.",
                    "4": "Led an incident and made lasting changes afterwards.",
                    "5": "Shapes how the team prevents, detects and learns from incidents.",
                },
            ),
            Competency(
                key="code_quality",
                name="Code quality and testing",
                description="Writes maintainable, tested code and reviews others' work well.",
                levels={
                    "1": "Testing and review are afterthoughts.",
                    "2": "Writes some tests without a clear idea of what matters.",
                    "3": "Tests the risky parts and gives useful reviews.",
                    "4": "Chooses test levels deliberately; reviews catch design problems.",
                    "5": "Raises the team's standard through tooling, examples and mentoring.",
                },
            ),
            Competency(
                key="communication",
                name="Communication",
                description="Explains technical work clearly to the listener.",
                levels={
                    "1": "Answers are hard to follow.",
                    "2": "Answers wander or skip the point.",
                    "3": "Clear answers with some examples.",
                    "4": "Structured answers pitched at the listener.",
                    "5": "Exceptionally clear and concise throughout.",
                },
            ),
        ]
    ),
)

CUSTOMER_SUPPORT = (
    Plan(
        time_limit_minutes=25,
        sections=[
            _opening("communication"),
            _competency_section(
                "Customer empathy",
                Question(
                    id="upset_customer",
                    text="Tell me about a time a customer was upset with you or your company. "
                    "What did you say, and how did it end?",
                    competency="empathy",
                    follow_ups=2,
                    minutes=5,
                ),
            ),
            _competency_section(
                "Problem solving",
                Question(
                    id="unknown_problem",
                    text="Describe a customer problem you didn't know how to solve at first. "
                    "How did you find the answer?",
                    competency="problem_solving",
                    follow_ups=2,
                    minutes=5,
                ),
                Question(
                    id="escalation",
                    text="When do you escalate a ticket, and what do you hand over when you do?",
                    competency="problem_solving",
                    follow_ups=1,
                    minutes=3,
                ),
            ),
            _competency_section(
                "Shift work",
                Question(
                    id="shifts",
                    text="This role includes weekend shifts once a month. Can you work them?",
                    competency="weekend_shifts",
                    follow_ups=0,
                    minutes=1,
                ),
            ),
            *_closing(),
        ],
    ),
    Rubric(
        competencies=[
            Competency(
                key="empathy",
                name="Customer empathy",
                description="Understands the customer's situation and keeps their trust.",
                levels={
                    "1": "Blames the customer or dismisses their frustration.",
                    "2": "Polite but scripted; little sign of listening.",
                    "3": "Acknowledges feelings and resolves the issue.",
                    "4": "Turns an upset customer around with clear, caring steps.",
                    "5": "Consistently builds lasting trust, even when the answer is no.",
                },
            ),
            Competency(
                key="problem_solving",
                name="Problem solving",
                description="Finds answers methodically and knows when to escalate.",
                levels={
                    "1": "Gives up or guesses.",
                    "2": "Relies on others for most answers.",
                    "3": "Uses documentation and colleagues to solve most problems.",
                    "4": "Diagnoses methodically and escalates with a clear handover.",
                    "5": "Spots patterns across tickets and fixes their cause.",
                },
            ),
            Competency(
                key="communication",
                name="Communication",
                description="Writes and speaks clearly and kindly.",
                levels={
                    "1": "Hard to follow.",
                    "2": "Understandable but unclear or curt.",
                    "3": "Clear and friendly.",
                    "4": "Clear, friendly and adapted to the customer.",
                    "5": "Exceptionally clear, warm and concise.",
                },
            ),
            Competency(
                key="weekend_shifts",
                name="Weekend shifts",
                description="Can work one weekend shift a month.",
                scale="yes_no",
                levels={
                    "yes": "Confirms they can work a weekend shift each month.",
                    "no": "Cannot work weekend shifts.",
                },
            ),
        ]
    ),
)

ACCOUNT_EXECUTIVE = (
    Plan(
        time_limit_minutes=30,
        sections=[
            _opening("communication"),
            _competency_section(
                "Discovery",
                Question(
                    id="discovery",
                    text="Walk me through your first call with a new prospect. What do you need "
                    "to learn, and how do you ask for it?",
                    competency="discovery",
                    follow_ups=2,
                    minutes=5,
                ),
            ),
            _competency_section(
                "Closing deals",
                Question(
                    id="biggest_deal",
                    text="Tell me about the largest deal you closed. How did you get it over the "
                    "line?",
                    competency="closing",
                    follow_ups=2,
                    minutes=6,
                ),
                Question(
                    id="lost_deal",
                    text="Tell me about a deal you lost. What would you do differently?",
                    competency="closing",
                    follow_ups=1,
                    minutes=4,
                ),
            ),
            _competency_section(
                "Pipeline",
                Question(
                    id="pipeline",
                    text="How do you build and keep track of your pipeline, and how close were "
                    "you to your quota last year?",
                    competency="pipeline",
                    follow_ups=2,
                    minutes=4,
                ),
            ),
            *_closing(),
        ],
    ),
    Rubric(
        competencies=[
            Competency(
                key="discovery",
                name="Discovery",
                description="Uncovers the prospect's needs, budget and decision process.",
                levels={
                    "1": "Pitches without asking questions.",
                    "2": "Asks generic questions.",
                    "3": "Learns the need and the decision maker.",
                    "4": "Qualifies need, budget, timing and process deliberately.",
                    "5": "Shapes the buying process with insight the prospect lacked.",
                },
            ),
            Competency(
                key="closing",
                name="Closing deals",
                description="Moves deals to signature and learns from losses.",
                levels={
                    "1": "No closed deals described.",
                    "2": "Closed small deals with help.",
                    "3": "Closes deals of the size this role needs.",
                    "4": "Handles objections and negotiation with clear examples.",
                    "5": "Closes complex, multi-stakeholder deals repeatedly.",
                },
            ),
            Competency(
                key="pipeline",
                name="Pipeline and forecasting",
                description="Builds enough pipeline and forecasts it honestly.",
                levels={
                    "1": "Cannot describe their pipeline or quota.",
                    "2": "Tracks deals loosely; missed quota without knowing why.",
                    "3": "Keeps an organised pipeline and knows their numbers.",
                    "4": "Forecasts accurately and hit quota.",
                    "5": "Consistently beat quota with a disciplined, self-built pipeline.",
                },
            ),
            Competency(
                key="communication",
                name="Communication",
                description="Speaks clearly and persuasively.",
                levels={
                    "1": "Hard to follow.",
                    "2": "Understandable but unconvincing.",
                    "3": "Clear and engaging.",
                    "4": "Persuasive, well structured, listens well.",
                    "5": "Exceptionally compelling and concise.",
                },
            ),
        ]
    ),
)

TEMPLATES = {
    "backend_engineer": ("Backend engineer", BACKEND_ENGINEER),
    "customer_support": ("Customer support", CUSTOMER_SUPPORT),
    "account_executive": ("Account executive", ACCOUNT_EXECUTIVE),
}


def template_plan(key):
    """(title, plan dict, rubric dict) of a built-in template; KeyError for an unknown key."""
    title, (plan, rubric) = TEMPLATES[key]
    return title, plan.model_dump(), rubric.model_dump()
