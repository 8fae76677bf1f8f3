"""A database made before users and provider profiles left the dashboard app migrates forward.

Up to c98b1f3 the `dashboard` app owned the User and ProviderProfile models and their three
migrations. Now `accounts` and `providers` own them, keeping their tables, and their first
migrations replace the dashboard ones. Migrating a fresh database to the old layout records
exactly the rows c98b1f3 recorded (dashboard 0001-0003), so this rebuilds such a database,
fills it through the models as they were then, and migrates it to today's layout.
"""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder

from accounts.models import User
from agents.models import Interview, TranscriptSegment, TurnMetrics
from providers.models import ProviderProfile
from resumes.models import Candidate, ParseAttempt, Resume

# The newest migration of each app in c98b1f3, as this tree names them.
C98B1F3_LAYOUT = [
    ("contenttypes", "0002_remove_content_type_name"),
    ("auth", "0012_alter_user_first_name_max_length"),
    ("admin", "0003_logentry_add_action_flag_choices"),
    ("sessions", "0001_initial"),
    ("accounts", "0001_initial"),
    ("providers", "0002_provider_base_urls_accept_service_names"),
    ("resumes", "0002_parse_attempts_and_search"),
    ("agents", "0002_interview_avatar_error"),
]
C98B1F3_RECORDED = {
    ("dashboard", "0001_initial"),
    ("dashboard", "0002_provider_profile"),
    ("dashboard", "0003_provider_base_urls_accept_service_names"),
}
LLM_KEY = "sk-llm-kept-across-the-move-0123456789"


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor


def _recorded(app_labels):
    return set(
        MigrationRecorder.Migration.objects.filter(app__in=app_labels).values_list("app", "name")
    )


def _fill_old_database(apps):
    """One of everything, written through the models as c98b1f3 had them."""
    user_ct = apps.get_model("contenttypes", "ContentType").objects.get(
        app_label="dashboard", model="user"
    )
    permission = apps.get_model("auth", "Permission").objects.get(
        content_type=user_ct, codename="change_user"
    )
    user = apps.get_model("accounts", "User").objects.create(
        username="rita", role="recruiter", email="rita@example.com"
    )
    user.user_permissions.add(permission)
    apps.get_model("admin", "LogEntry").objects.create(
        user=user, content_type=user_ct, object_id=str(user.pk), object_repr="rita", action_flag=1
    )
    profile = apps.get_model("providers", "ProviderProfile").objects.create(
        name="Team GPU",
        llm_base_url="http://gpu:8000/v1",
        llm_model="qwen",
        llm_api_key=LLM_KEY,
        stt_base_url="http://gpu:8001/v1",
        stt_model="whisper",
        tts_base_url="http://gpu:8002/v1",
        tts_model="kokoro",
        tts_voice="af",
        is_active=True,
    )
    candidate = apps.get_model("resumes", "Candidate").objects.create(
        name="Ada Lovelace", email="ada@example.com", created_by=user
    )
    resume = apps.get_model("resumes", "Resume").objects.create(
        candidate=candidate,
        file="resumes/ada.pdf",
        original_name="ada.pdf",
        sha256="a" * 64,
        size=1234,
        status="parsed",
        text="Ada Lovelace, analytical engines",
        parsed={"basics": {"name": "Ada Lovelace"}},
        uploaded_by=user,
    )
    apps.get_model("resumes", "ParseAttempt").objects.create(
        resume=resume, profile=profile, requested_by=user, outcome="succeeded"
    )
    interview = apps.get_model("agents", "Interview").objects.create(
        candidate=candidate,
        resume=resume,
        role_title="Engineer",
        profile_snapshot={"fields": {"name": "Team GPU"}, "secrets": {}},
        profile_name="Team GPU",
        room_name="interview-old",
        join_secret_hash="b" * 64,
        link_expires_at="2030-01-01T00:00:00Z",
        status="completed",
        created_by=user,
        report={"summary": "Knows engines.", "recommendation": "yes"},
        report_status="ready",
    )
    segments = apps.get_model("agents", "TranscriptSegment").objects
    segments.create(interview=interview, seq=1, speaker="agent", text="Hello Ada.")
    segments.create(interview=interview, seq=2, speaker="candidate", text="Hello.")
    apps.get_model("agents", "TurnMetrics").objects.create(
        interview=interview, turn=1, llm_ttft=0.4, tts_ttfb=0.2, total_latency=1.1
    )


@pytest.mark.django_db(transaction=True)
def test_a_database_from_before_the_split_migrates_without_losing_a_row():
    executor = _migrate(C98B1F3_LAYOUT)
    # What c98b1f3 itself would have recorded: no rows for the two new apps.
    MigrationRecorder.Migration.objects.filter(app__in=("accounts", "providers")).delete()
    assert _recorded(("dashboard", "accounts", "providers")) == C98B1F3_RECORDED
    _fill_old_database(executor.loader.project_state(C98B1F3_LAYOUT).apps)

    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    ContentType.objects.clear_cache()

    after = MigrationExecutor(connection)
    assert not after.migration_plan(after.loader.graph.leaf_nodes())
    user = User.objects.get(username="rita")
    assert user.is_recruiter and user.email == "rita@example.com"
    assert user.has_perm("accounts.change_user")
    assert ContentType.objects.get_for_model(User).app_label == "accounts"
    assert user.logentry_set.get().content_type == ContentType.objects.get_for_model(User)
    profile = ProviderProfile.objects.get(name="Team GPU")
    assert profile.is_active and profile.llm_api_key == LLM_KEY
    candidate = Candidate.objects.get(name="Ada Lovelace", created_by=user)
    resume = Resume.objects.get(candidate=candidate, uploaded_by=user)
    assert resume.parsed == {"basics": {"name": "Ada Lovelace"}}
    assert ParseAttempt.objects.get(resume=resume).profile == profile
    interview = Interview.objects.get(candidate=candidate, created_by=user)
    assert interview.report["summary"] == "Knows engines."
    assert list(interview.segments.values_list("seq", "text")) == [
        (1, "Hello Ada."),
        (2, "Hello."),
    ]
    assert TranscriptSegment.objects.count() == 2
    assert TurnMetrics.objects.get(interview=interview).total_latency == 1.1
