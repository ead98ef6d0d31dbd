import RavaoCore

/// Dates as people in Vietnam read them (issue 18): `dd/MM/yyyy` on pages, `dd/MM` under a chart's
/// bars; `YYYY-MM-DD` stays for form values, the API and machine-readable exports.
enum DisplayDate {
    /// `YYYY-MM-DD` → `dd/MM/yyyy`; anything else unchanged.
    static func day(_ iso: String) -> String {
        LocalDate(String(iso.prefix(10))) == nil ? iso : HealthStatus.displayDate(String(iso.prefix(10)))
    }

    /// `YYYY-MM-DD` → `dd/MM`; anything else unchanged.
    static func dayMonth(_ iso: String) -> String {
        LocalDate(String(iso.prefix(10)))?.shortLabel ?? iso
    }
}
