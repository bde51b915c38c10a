"""Amol's demo citizen proposals (issue 21 items 1-3, 8): problems and untapped talents citizens brought, in every
state the table's queue shows — a flooded alley in Amol city under diagnosis with a member's structured diagnosis,
an empty village school in Larijan adopted by the health table into a draft project with its key core (a task and a
meeting logged), a village's jajim weavers answered without adopting, a new one waiting at the health table and at
the environment table, and one whose author did not know the table, waiting for the governorate to route it.

Imports sqlalchemy and models. Called by models.demo.seed inside its audit bypass with the seed's fixed "now": every
row is inserted once in its final state with every time given (no column default, no later update), so seeding
twice gives identical rows; one audit row per change goes to the seed's list.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import insert
from sqlalchemy.orm import Session

from models.core.enums import Horizon, ProjectKind, ProjectStatus
from models.orm.cores import KeyCore, KeyCoreMeeting, KeyCoreMember, KeyCoreTask
from models.orm.projects import Project
from models.orm.proposals import CitizenProposal, ProposalComment, ProposalSupport

# key, table key (None: "don't know"), place slug, kind, title, body, details, days ago, author index, supporters
PROPOSALS = [
    ("alley", "infrastructure_urban_rural", "amol-city", "problem", "آب‌گرفتگی کوچهٔ لاله در محلهٔ اسپه‌کلا",
     "پس از هر باران آب تا زانو در کوچه می‌ماند و تا دو روز نمی‌رود؛ بچه‌های دبستان سر کوچه از میان آب رد می‌شوند "
     "و آب به حیاط چند خانه رسیده است.",
     dict(place="شهر آمل، محلهٔ اسپه‌کلا، کوچهٔ لاله، پشت دبستان", affected="حدود ۳۵ خانوار کوچه و دانش‌آموزان دبستان",
          evidence="عکس‌های آبان امسال و گواهی همسایه‌ها", since="از زمستان پارسال، پس از هر بارش تند"),
     34, 20, 12),
    ("school", "health", "bala-larijan-rd", "talent", "ساختمان دبستان خالی روستای بایجان",
     "دبستان روستا پنج سال است به‌خاطر کم‌شدن دانش‌آموزان بسته است؛ ساختمان سالم است، چهار کلاس، آب و برق و حیاط "
     "دارد و کلیدش نزد دهیار است.",
     dict(place="روستای بایجان، دهستان بالا لاریجان", serves="خانهٔ بهداشت فصلی برای روستاهای اطراف و پایگاه "
          "کمک‌های اولیه برای کوهنوردان مسیر دماوند", duration="دست‌کم ده سال، با واگذاری از آموزش‌وپرورش"),
     52, 21, 9),
    ("weavers", "economy_employment", "dabuy-ye-jonubi-rd", "talent", "زنان بافندهٔ جاجیم در دهستان دابوی جنوبی",
     "بیش از بیست زن در روستاهای دهستان جاجیم و گلیم دستباف با نقش‌های قدیمی مازندران می‌بافند، اما بازاری جز "
     "دلال‌ها ندارند و دختران جوان دیگر یاد نمی‌گیرند.",
     dict(place="دهستان دابوی جنوبی", serves="یک کارگاه آموزش بافت برای دختران روستا و فروش مستقیم در بازارچهٔ "
          "صنایع دستی آمل و در فضای مجازی", duration="پیوسته؛ یک دورهٔ آموزشی شش‌ماهه برای آغاز"),
     45, 22, 6),
    ("ramp", "health", "rineh-city", "problem", "پله‌های بلند ورودی خانهٔ بهداشت رینه",
     "ورودی خانهٔ بهداشت هفت پلهٔ بلند و بدون نرده دارد؛ سالمندان و مادران با کالسکه به سختی بالا می‌روند و ویلچر "
     "راهی ندارد.",
     dict(place="رینه، خیابان اصلی، خانهٔ بهداشت", affected="سالمندان، مادران و کودکان و کسانی که ویلچر دارند",
          since="از ساخت ساختمان"),
     9, 0, 4),
    ("climbers", "environment", "rineh-city", "talent", "کوهنوردان داوطلب برای پاک‌سازی مسیرهای دماوند",
     "گروهی سی‌نفره از کوهنوردان آمل و رینه آماده‌اند هر ماه یک روز زباله‌های جبههٔ جنوبی دماوند را جمع کنند؛ "
     "کیسه، دستکش و جابه‌جایی زباله تا آمل ندارند.",
     dict(place="جبههٔ جنوبی دماوند، از پلور تا بارگاه سوم", serves="پاکیزگی مسیر کوهنوردی و آگاهی گردشگران",
          duration="فصل کوهنوردی هر سال، از خرداد تا مهر"),
     6, 24, 3),
    ("dogs", None, "dabudasht-city", "problem", "سگ‌های بی‌صاحب در مسیر مدرسهٔ دابودشت",
     "صبح‌ها گروهی از سگ‌های بی‌صاحب کنار زمین خالی سر راه مدرسه جمع می‌شوند و بچه‌ها می‌ترسند تنها بروند.",
     dict(place="دابودشت، زمین خالی کنار راه مدرسه", affected="دانش‌آموزان و خانواده‌هایشان",
          since="از پاییز امسال"),
     4, 25, 2),
]

DIAGNOSIS = dict(cause="دهانهٔ آبروی کوچه به کانال خیابان با نخالهٔ ساختمانی بسته شده و شیب کف کوچه رو به خانه‌هاست.",
                 scale="یک کوچهٔ ۱۲۰ متری، حدود ۳۵ خانوار و مسیر هر روز دانش‌آموزان",
                 options="لایروبی و بازکردن دهانه (فوری)؛ لوله‌گذاری ۱۲۰ متری تا کانال خیابان و اصلاح شیب (ماندگار)",
                 body="بازدید میدانی ۱۲ آبان با دو تن از همسایه‌ها", cost_min_toman=80_000_000,
                 cost_max_toman=350_000_000)
EVIDENCE = "عکس‌های ۸ آبان: آب تا لبهٔ پله‌های خانهٔ شمارهٔ ۱۴ بالا آمده بود."
WEAVERS_ANSWER = ("طرح بازارچهٔ دائمی صنایع دستی آمل در برنامهٔ امسال میز است و بافندگان این دهستان در فهرست "
                  "غرفه‌ها آمده‌اند؛ کارگاه آموزشی را در همان طرح پیش می‌بریم.")
SCHOOL_PROJECT = ("خانهٔ بهداشت فصلی بایجان در ساختمان دبستان خالی", "A seasonal health house in Bayjan's empty school")


def _insert(session: Session, model, row: dict) -> int:
    return int(session.execute(insert(model).returning(model.id), [row]).scalar_one())


def seed_proposals(session: Session, now: datetime, accounts: dict[str, int], table_ids: dict[str, int],
                   chairs: dict[int, int | None], place_ids: dict[str, int], citizens: list[int],
                   members_of: dict[int, list[int]], audit_rows: list[dict]) -> int:
    """Insert the demo's citizen proposals, their supports, comments, decisions and the adopted one's project and
    key core; returns how many proposals."""

    def audit(at, actor, action, model, object_id, table_id, after=None):
        audit_rows.append(dict(at=at, actor_id=actor, action=action, object_type=model.__tablename__,
                               object_id=object_id, table_id=table_id, before=None, after=after or {"demo": True}))

    for n, (key, tkey, place, kind, title, body, details, ago, author_at, n_support) in enumerate(PROPOSALS):
        table_id = table_ids[tkey] if tkey else None
        chair = chairs.get(table_id) if table_id else None
        author = citizens[author_at]  # index 0: the demo citizen (the health house's ramp, on /my)
        made = now - timedelta(days=ago, hours=n)
        row = dict(kind=kind, author_id=author, table_id=table_id, district_id=place_ids[place], title=title,
                   body=body, place=details.get("place", ""), lat=None, lon=None,
                   affected=details.get("affected", ""), evidence=details.get("evidence", ""),
                   since=details.get("since", ""), serves=details.get("serves", ""),
                   duration=details.get("duration", ""), status="new", merged_into_id=None, answer_type=None,
                   answer_text="", forwarded_from_id=None, decided_by_id=None, decided_at=None, project_id=None,
                   hidden_at=None, hidden_reason="", created_at=made, updated_at=made, version=1)
        decided = made + timedelta(days=ago // 2)
        project_id = None
        if key == "school":  # adopted by the health table: a draft talent project first, the proposal linked to it
            project_id = _insert(session, Project, dict(
                table_id=table_id, kind=ProjectKind.TALENT, title_fa=SCHOOL_PROJECT[0], title_en=SCHOOL_PROJECT[1],
                summary_fa=body, summary_en=None, problem=None, evidence=None, affected=None, capacity=body,
                horizon=Horizon.LONG, district_id=place_ids[place], priority=6, pb_support=0.0,
                status=ProjectStatus.DRAFT, estimated_cost_rials=12_000_000_000, created_by_id=chair,
                created_at=decided, updated_at=decided, version=1))
            audit(decided, chair, "project.created", Project, project_id, table_id)
            row.update(status="adopted", project_id=project_id, decided_by_id=chair, decided_at=decided,
                       answer_text="میز سلامت آن را پذیرفت: با آموزش‌وپرورش و مرکز بهداشت برای واگذاری ساختمان "
                                   "گفت‌وگو می‌کنیم و هستهٔ کلیدی آن تشکیل شد.")
        elif key == "weavers":
            row.update(status="answered", answer_type="already_planned", answer_text=WEAVERS_ANSWER,
                       decided_by_id=chair, decided_at=decided)
        elif key == "alley":
            row["status"] = "diagnosis"
        pid = _insert(session, CitizenProposal, row)
        audit(made, author, "citizen_proposal.created", CitizenProposal, pid, table_id)
        supporters = [citizens[author_at + 40 + 7 * k] for k in range(n_support)]
        for k, uid in enumerate(supporters):
            at = made + timedelta(hours=5 + 11 * k)
            sid = _insert(session, ProposalSupport, dict(proposal_id=pid, user_id=uid, created_at=at))
            audit(at, uid, "citizen_proposal.supported", ProposalSupport, sid, table_id)
        if key == "alley" and table_id is not None:
            _diagnosed(session, audit, pid, table_id, supporters[0], members_of[table_id][0], made)
        elif key == "school":
            _core(session, audit, pid, project_id, table_id, chair, accounts["member"], author, supporters[0],
                  decided, now)
        if row["decided_at"] is not None:
            action = "citizen_proposal.adopted" if key == "school" else "citizen_proposal.answered"
            audit(decided, chair, action, CitizenProposal, pid, table_id, {"status": row["status"]})
    return len(PROPOSALS)


def _diagnosed(session: Session, audit, pid: int, table_id: int | None, supporter: int, member: int,
               made: datetime) -> None:
    """A supporter's evidence, then a table member's structured diagnosis (which moved it to diagnosis)."""
    at = made + timedelta(days=2)
    cid = _insert(session, ProposalComment, dict(proposal_id=pid, author_id=supporter, kind="evidence", body=EVIDENCE,
                                                 cause="", scale="", options="", cost_min_toman=None,
                                                 cost_max_toman=None, created_at=at, hidden_at=None, hidden_reason=""))
    audit(at, supporter, "citizen_proposal.evidence_added", ProposalComment, cid, table_id)
    at = made + timedelta(days=6)
    did = _insert(session, ProposalComment, dict(proposal_id=pid, author_id=member, kind="diagnosis", created_at=at,
                                                 hidden_at=None, hidden_reason="", **DIAGNOSIS))
    audit(at, member, "citizen_proposal.diagnosed", ProposalComment, did, table_id)
    audit(at, member, "citizen_proposal.under_diagnosis", CitizenProposal, pid, table_id, {"status": "diagnosis"})


def _core(session: Session, audit, pid: int, project_id: int | None, table_id: int | None, chair: int | None,
          member: int, author: int, supporter: int, formed: datetime, now: datetime) -> None:
    """The adopted proposal's key core: the chair leads, the demo member is its expert, the author and a supporter
    its field members; a task and the first meeting."""
    assert chair is not None and table_id is not None
    core_id = _insert(session, KeyCore, dict(table_id=table_id, project_id=project_id, proposal_id=pid,
                                             name=SCHOOL_PROJECT[0], formed_by_id=chair, created_at=formed))
    audit(formed, chair, "key_core.formed", KeyCore, core_id, table_id)
    for uid, role, origin in ((chair, "lead", "member"), (member, "expert", "member"), (author, "field", "volunteer"),
                              (supporter, "field", "volunteer")):
        mid = _insert(session, KeyCoreMember, dict(core_id=core_id, user_id=uid, role=role, origin=origin,
                                                   added_at=formed, left_at=None))
        audit(formed, chair, "key_core.member_added", KeyCoreMember, mid, table_id)
    tid = _insert(session, KeyCoreTask, dict(core_id=core_id, title="بازدید از ساختمان با کارشناس مرکز بهداشت",
                                             owner_id=member, due_on=(now + timedelta(days=10)).date(),
                                             done_at=None, created_at=formed))
    audit(formed, chair, "key_core.task_added", KeyCoreTask, tid, table_id)
    held = (formed + timedelta(days=5)).date()
    meeting = _insert(session, KeyCoreMeeting, dict(
        core_id=core_id, held_on=min(held, date(now.year, now.month, now.day)), recorded_by_id=chair,
        attendees="رئیس میز سلامت، کارشناس میز، دهیار بایجان، نویسندهٔ پیشنهاد",
        minutes="ساختمان سالم است؛ سقف یکی از کلاس‌ها نم دارد. دهیار کلید را تحویل داد.",
        decisions="نامه به آموزش‌وپرورش برای واگذاری؛ برآورد هزینهٔ تعمیر سقف تا بازدید بعدی.",
        created_at=formed + timedelta(days=5)))
    audit(formed + timedelta(days=5), chair, "key_core.meeting_logged", KeyCoreMeeting, meeting, table_id)
