import RavaoCore
import RavaoStore

/// The province → (district) → ward cascade that `app.js` fills in; the chosen ward's ancestors
/// preselect it when a form comes back with errors or for editing.
///
/// A page may hold several pickers. The ward select is named `name`; with `anyLevel` the province and
/// district selects are named `name + "Province"` / `name + "District"` too, and `chosen` takes the most
/// precise level picked (officers pick a province or a ward for zones, risk lists and accounts).
/// Without JavaScript the province list still works (the ward list needs the script).
struct UnitPicker {
    let services: AppServices

    struct Options {
        var name = "wardCode"
        /// Prefix of the selects' ids; "" keeps the historic `province` / `district` / `ward` ids.
        var idPrefix = ""
        var anyLevel = false
        /// A "whole country" entry (value `VN`) before the provinces.
        var countryOption = false
        /// Several wards: a button (shown by the script) adds another picker of the same names.
        var multiple = false
        var legend: String?
    }

    func render(selected ward: String?, language: Language, required: Bool, error: HTML? = nil) async throws -> HTML {
        try await render(selected: ward, language: language, required: required, error: error, options: Options())
    }

    func render(selected unit: String?, language: Language, required: Bool, error: HTML? = nil, options: Options) async throws -> HTML {
        let s = Strings(language)
        let scheme = try await services.store.units.activeScheme()
        let provinces = try await services.store.units.children(of: nil, scheme: scheme)
        let isCountry = unit?.uppercased() == Jurisdiction.countryCode
        let path = isCountry ? [] : (try await unit.asyncMap { try await services.store.units.path($0, scheme: scheme) } ?? [])
        let selectedProvince = isCountry ? Jurisdiction.countryCode : path.last { $0.level == .province }?.code
        let selectedDistrict = path.first { $0.level == .district }?.code
        let selectedWard = path.first { $0.level == .ward }?.code ?? (options.anyLevel ? nil : unit)
        let country: HTML = options.countryOption
            ? "<option value=\"\(Jurisdiction.countryCode)\"\(HTML.attribute("selected", isCountry))>\(UnitPickerStrings(language).country)</option>" : ""
        let options_: [HTML] = provinces.map { "<option value=\"\($0.code)\"\(HTML.attribute("selected", selectedProvince == $0.code))>\($0.name)</option>" }
        let p = options.idPrefix
        let levelName: (String) -> HTML = { suffix in options.anyLevel ? HTML(unsafeRaw: " name=\"\(HTMLEscaping.escape(options.name + suffix))\"") : "" }
        let add: HTML = options.multiple
            ? "<button type=\"button\" class=\"secondary small unit-add\" hidden>\(UnitPickerStrings(language).addAnother)</button>" : ""
        let legend: HTML = options.legend.map { "<legend>\($0)</legend>" as HTML } ?? ""
        return """
        <fieldset class="units"\(HTML.attribute("data-multi", options.multiple)) data-province="\(selectedProvince ?? "")" data-district="\(selectedDistrict ?? "")" data-ward="\(selectedWard ?? "")">
          \(legend)
          <label>\(s.province)<select id="\(p)province" data-level="province"\(levelName("Province"))\(HTML.attribute("required", required && !options.anyLevel))><option value="">\(s.choose)</option>\(country)\(options_)</select></label>
          <label class="district-level" hidden>\(s.district)<select id="\(p)district" data-level="district"\(levelName("District"))><option value="">\(s.choose)</option></select></label>
          <label>\(s.ward)<select name="\(options.name)" id="\(p)ward" data-level="ward"\(HTML.attribute("required", required && !options.anyLevel))><option value="">\(s.choose)</option></select>\(error)</label>
          \(add)
        </fieldset>
        """
    }

    /// The unit a picker (or a typed code, as older clients send) names: the most precise level chosen.
    static func chosen(_ values: (String) -> String?, name: String) -> String? {
        for key in [name, name + "District", name + "Province"] {
            if let value = values(key)?.trimmingCharacters(in: .whitespaces), !value.isEmpty { return value }
        }
        return nil
    }
}

struct UnitPickerStrings {
    let language: Language
    init(_ language: Language) { self.language = language }
    private func t(_ vi: String, _ en: String) -> String { language == .en ? en : vi }
    var country: String { t("Toàn quốc", "Whole country") }
    var addAnother: String { t("Thêm phường/xã khác", "Add another ward") }
}
