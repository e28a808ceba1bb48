"""Chat ratings are a second CSAT source of the SLA reports (channel "chat")."""

from datetime import UTC, date, datetime

import time_machine

from ventanilla.chat import services
from ventanilla.sla.models import SatisfactionRating
from ventanilla.sla.reports import ReportFilter, build_report
from ventanilla.sla.services import satisfaction_record
from ventanilla.tickets import services as ticket_services

T0 = datetime(2026, 10, 7, 10, 0, tzinfo=UTC)


def rated_chat(soporte, customer, carla, score):
    chat = services.chat_start(department=soporte, user=customer.user)
    services.chat_take(chat, agent=carla)
    services.chat_close(chat, actor=carla)
    return services.chat_rate(chat, rating=score)


def test_chat_ratings_count_in_csat_by_channel(alice, bob, soporte, carla, make_ticket):
    with time_machine.travel(T0, tick=False):
        ticket = make_ticket(alice)
        ticket_services.ticket_assign(ticket, actor=carla, assignee=carla)
        satisfaction_record(source=SatisfactionRating.Source.SURVEY, subject_key=f"ticket:{ticket.pk}",
                            score=4, ticket=ticket)
        rated_chat(soporte, alice, carla, 5)
        chat = rated_chat(soporte, bob, carla, 2)
        report = build_report(ReportFilter(start=date(2026, 10, 7), end=date(2026, 10, 7),
                                           group_by="canal"))

    rating = SatisfactionRating.objects.get(subject_key=f"chat:{chat.pk}")
    assert (rating.source, rating.channel, rating.agent, rating.department) == (
        "chat", "chat", carla, soporte)
    groups = {g.key: g for g in report.groups}
    # Survey: 4 -> 4.0, 100 % satisfied. Chat: 5 and 2 -> 3.5, 50 %.
    # All: (4 + 5 + 2) / 3 = 3.67, 2 of 3 satisfied = 66.7 %.
    assert (groups["portal"].csat_average, groups["portal"].csat_satisfied) == (4.0, 100.0)
    assert (groups["chat"].csat_average, groups["chat"].csat_satisfied) == (3.5, 50.0)
    assert (report.total.csat_average, report.total.csat_satisfied) == (3.67, 66.7)
