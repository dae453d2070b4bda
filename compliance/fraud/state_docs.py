"""What docs/state-machines.md says about the fraud signal machine (see contracting.state_docs)."""

from compliance.fraud import services
from compliance.models import FraudSignal, SignalStatus
from contracting.state_docs import Machine, Operation

MACHINES = [
    Machine(
        model=FraudSignal,
        registry=services.SIGNAL_TRANSITIONS,
        intro="A fraud signal: a rule of `compliance.fraud.rules` found something in the production data, "
        "annual figures or documents of a provider for a period (`manage.py run_fraud_rules`). Confirming "
        "needs two officers: one proposes (with the grounds), another confirms. A confirmed signal makes "
        "the integrity condition fail for the provider, and the admin proposes suspending its active "
        "agreements and memberships (each through `agreement_suspend` / `membership_suspend`). A report to "
        "the Informatieknooppunt Zorgfraude (Wbsrz) and the information requests that come back are "
        "recorded on the signal (`ikz_report_record`, `ikz_request_record`, `ikz_request_answer`).",
        operations=[
            Operation(
                name="request_confirmation",
                service=services.signal_request_confirmation,
                states=[SignalStatus.INVESTIGATING],
                event="fraudsignal.confirmation_requested",
            ),
        ],
    ),
]
