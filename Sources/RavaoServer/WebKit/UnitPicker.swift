import RavaoCore
import RavaoStore

/// The province → (district) → ward cascade that `app.js` fills in; the chosen ward's ancestors
/// preselect it when a form comes back with errors or for editing.
struct UnitPicker {
    let services: AppServices

    func render(selected ward: String?, language: Language, required: Bool, error: HTML? = nil) async throws -> HTML {
        let s = Strings(language)
        let scheme = try await services.store.units.activeScheme()
        let provinces = try await services.store.units.children(of: nil, scheme: scheme)
        let path = try await ward.asyncMap { try await services.store.units.path($0, scheme: scheme) } ?? []
        let selectedProvince = path.last { $0.level == .province }?.code
        let selectedDistrict = path.first { $0.level == .district }?.code
        let options: [HTML] = provinces.map { "<option value=\"\($0.code)\"\(HTML.attribute("selected", selectedProvince == $0.code))>\($0.name)</option>" }
        return """
        <fieldset class="units" data-province="\(selectedProvince ?? "")" data-district="\(selectedDistrict ?? "")" data-ward="\(ward ?? "")">
          <label>\(s.province)<select id="province" data-level="province"><option value="">\(s.choose)</option>\(options)</select></label>
          <label class="district-level" hidden>\(s.district)<select id="district" data-level="district"><option value="">\(s.choose)</option></select></label>
          <label>\(s.ward)<select name="wardCode" id="ward"\(HTML.attribute("required", required))><option value="">\(s.choose)</option></select>\(error)</label>
        </fieldset>
        """
    }
}
