//! A human-readable rendering of a report: the CLI prints it after a run and writes it next
//! to `report.json`.

use std::fmt::Write;

use crate::schema::{NamedCount, Percentiles, Report, Status};

fn minutes(seconds: f64) -> String {
    format!("{:.1}", seconds / 60.0)
}

fn percent(fraction: f64) -> String {
    format!("{:.0}%", fraction * 100.0)
}

pub fn render_markdown(report: &Report) -> String {
    let mut out = String::new();
    let run = &report.run;
    let _ = writeln!(
        out,
        "# {} (seed {}, {} fidelity, faults: {})\n",
        run.scenario_name, run.seed, run.fidelity, run.fault_profile_name
    );
    let status = match report.outcome.status {
        Status::Ok => "ok",
        Status::InvariantBroken => "INVARIANT BROKEN",
        Status::StepBudgetExhausted => "STEP BUDGET EXHAUSTED",
    };
    let _ = writeln!(
        out,
        "Outcome: {status}. Trace hash {}, {} events.",
        report.trace.hash, report.trace.events
    );
    let _ = writeln!(
        out,
        "Simulated {} to {}.",
        run.simulated_from, run.simulated_until
    );
    if let Some(violation) = &report.outcome.violation {
        let _ = writeln!(
            out,
            "\n**{}** at {}: {}",
            violation.invariant, violation.at, violation.message
        );
    }
    render_residents(&mut out, report);
    render_stages(&mut out, report);
    render_booking(&mut out, report);
    render_registration(&mut out, report);
    render_cards(&mut out, report);
    render_faults_and_invariants(&mut out, report);
    out
}

fn render_residents(out: &mut String, report: &Report) {
    let r = &report.residents;
    let _ = writeln!(out, "\n## Residents\n");
    let _ = writeln!(out, "| | residents |\n|---|---:|");
    let rows = [
        ("with an appointment", r.with_appointment),
        ("no-shows", r.no_shows),
        ("arrived with an appointment", r.appointments_arrived),
        ("arrived as walk-ins", r.walk_ins_arrived),
        ("arrived as companions (65+)", r.companions_arrived),
        ("admitted (queue ticket)", r.admitted),
        ("served (application taken)", r.served),
        ("gave up waiting", r.abandoned),
        ("came back another day", r.returns),
        ("turned away: too late", r.turned_away_too_late),
        (
            "turned away: walk-in quota used up",
            r.turned_away_walk_in_quota,
        ),
        ("turned away: centre closed", r.turned_away_closed),
        (
            "turned away: booking service unavailable",
            r.turned_away_service_unavailable,
        ),
        (
            "turned away: booking not valid here",
            r.turned_away_not_valid,
        ),
        ("left without registering", r.not_registered),
        (
            "left with registration unfinished",
            r.registration_unfinished,
        ),
        ("still in the centre at the end", r.in_centre_at_end),
    ];
    for (label, count) in rows {
        let _ = writeln!(out, "| {label} | {count} |");
    }
}

fn percentile_cells(p: &Percentiles) -> String {
    format!(
        "{} | {} | {} | {} | {}",
        minutes(p.mean),
        minutes(p.p50),
        minutes(p.p95),
        minutes(p.p99),
        minutes(p.max)
    )
}

fn render_stages(out: &mut String, report: &Report) {
    let _ = writeln!(out, "\n## Waits and utilisation (minutes)\n");
    let _ = writeln!(
        out,
        "| stage | servers | served | busy | mean wait | p50 | p95 | p99 | max | mean service |"
    );
    let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for stage in &report.stages {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            stage.stage,
            stage.servers,
            stage.served,
            percent(stage.busy_fraction),
            percentile_cells(&stage.wait_seconds),
            minutes(stage.service_seconds.mean)
        );
    }
    let t = &report.time_in_centre_seconds;
    let _ = writeln!(
        out,
        "| time in centre | | {} | | {} | |",
        t.count,
        percentile_cells(t)
    );
}

fn render_booking(out: &mut String, report: &Report) {
    let b = &report.booking;
    let _ = writeln!(out, "\n## Booking\n");
    let _ = writeln!(
        out,
        "{} requests: {} booked ({} of slots filled), {} refused (day full), {} outside the horizon, {} no service, {} not called up for the day, {} gave up. Lead time p50 {:.1} days, max {:.1}.",
        b.requests,
        b.booked,
        percent(b.slots_filled_fraction),
        b.refused_day_full,
        b.refused_outside_horizon,
        b.refused_no_service,
        b.refused_outside_call_up,
        b.gave_up,
        b.lead_time_days.p50,
        b.lead_time_days.max
    );
    let elsewhere: u64 = b.booked_elsewhere.iter().map(|centre| centre.count).sum();
    let _ = writeln!(
        out,
        "\n{} found no slot they accept here and tried another centre: {} booked there ({}).",
        b.fell_back,
        elsewhere,
        named(&b.booked_elsewhere)
    );
}

fn named(counts: &[NamedCount]) -> String {
    if counts.is_empty() {
        return "none".to_string();
    }
    let parts: Vec<String> = counts
        .iter()
        .map(|c| format!("{} {}", c.name.replace('_', " "), c.count))
        .collect();
    parts.join(", ")
}

fn render_registration(out: &mut String, report: &Report) {
    let g = &report.registration;
    let _ = writeln!(out, "\n## Registration\n");
    let _ = writeln!(
        out,
        "{} applications accepted ({} accepted earlier), {} held as suspected duplicates. Kiosks sent {} straight to the photo counter and referred to an officer: {}. Counter visits unfinished: {}; not registered: {}.",
        g.accepted,
        g.already_accepted,
        g.duplicates_suspected,
        g.kiosk_completed,
        named(&g.kiosk_referrals),
        named(&g.counter_unfinished),
        named(&g.not_registered),
    );
    let _ = writeln!(
        out,
        "\nThumb verifications {} ({} failed), photos {} ({} retakes), floor officer calls {}, kiosks or counters out of service {}.",
        g.thumb_verifications,
        g.thumb_failures,
        g.photos,
        g.photo_retakes,
        g.officer_calls,
        g.stations_out_of_service
    );
}

fn render_cards(out: &mut String, report: &Report) {
    let c = &report.cards;
    let _ = writeln!(out, "\n## Cards\n");
    let _ = writeln!(
        out,
        "{} ordered, {} produced ({} re-made after a failed personalisation; the line personalised {} cards and answered {} repeated requests from its work in hand), {} dispatched, {} ready at the centre. {} collected in {} visits ({} of them handed over by an officer after the kiosk failed; old cards cancelled: {}); not collected on a visit: {}; {} handed to officers; {} to come after the period.",
        c.ordered,
        c.produced,
        c.remade,
        c.personalised,
        c.line_repeats,
        c.dispatched,
        c.ready,
        c.collected,
        c.collection_visits,
        c.collected_by_officer,
        c.old_cards_cancelled,
        named(&c.not_collected),
        c.handed_to_officers,
        c.collections_after_period,
    );
    if !c.signed_by.is_empty() {
        let _ = writeln!(
            out,
            "\nCards issued per Document Signer: {}.",
            named(&c.signed_by)
        );
    }
}

fn render_faults_and_invariants(out: &mut String, report: &Report) {
    let _ = writeln!(out, "\n## Faults injected\n");
    let _ = writeln!(out, "| kind | injected | minimum |\n|---|---:|---:|");
    for fault in &report.faults {
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            fault.kind, fault.injected, fault.minimum
        );
    }
    let _ = writeln!(out, "\n## Invariants\n");
    let _ = writeln!(
        out,
        "| invariant | checks | violations | note |\n|---|---:|---:|---|"
    );
    for invariant in &report.invariants {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            invariant.name,
            invariant.checks,
            invariant.violations,
            invariant.note.as_deref().unwrap_or("")
        );
    }
}
