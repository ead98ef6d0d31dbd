import Foundation

/// A workforce list as HR departments export it from Excel (E1).
///
/// Excel writes "CSV UTF-8" (with a BOM), "Unicode Text" (UTF-16 LE with a BOM, tab-separated) or a
/// plain CSV whose separator follows the regional settings (`;` on many Vietnamese machines), and it
/// drops leading zeros from numbers typed into General cells. All of that is accepted here; anything
/// else is reported per row, in English and Vietnamese, so HR can fix the file in one go.
public enum RosterCSV {
    public enum Column: String, CaseIterable, Sendable, Codable {
        case name, phone, cccd, bhyt, department, employeeNumber
    }

    /// One valid data row. `row` is the spreadsheet row number (the header is row 1).
    public struct Row: Sendable, Equatable {
        public var row: Int
        public var name: String
        public var phone: PhoneNumber?
        public var cccd: String?
        public var bhyt: String?
        public var department: String
        public var employeeNumber: String

        public init(row: Int, name: String, phone: PhoneNumber?, cccd: String?, bhyt: String?, department: String, employeeNumber: String) {
            self.row = row; self.name = name; self.phone = phone; self.cccd = cccd; self.bhyt = bhyt
            self.department = department; self.employeeNumber = employeeNumber
        }
    }

    /// A problem with one cell (or, with row 0, with the whole file).
    public struct Problem: Sendable, Equatable, Codable {
        public let row: Int
        public let column: String
        public let code: String
        public let message: String
        public let messageVi: String

        public init(row: Int, column: String, code: String, en: String, vi: String) {
            self.row = row; self.column = column; self.code = code; self.message = en; self.messageVi = vi
        }
    }

    public struct Parsed: Sendable {
        public var rows: [Row] = []
        public var problems: [Problem] = []
        public var columns: [Column] = []
        /// `utf-8`, `utf-16le` or `utf-16be`; empty when the file could not be decoded.
        public var encoding = ""
        public var separator: Character = ","
    }

    public static let maxRows = 100_000
    /// The longest line a roster row needs (six short columns; UTF-16 doubles the bytes).
    public static let maxLineBytes = 4_096

    /// Why the file's shape rules it out, read from the bytes alone; nil when it may be a roster.
    static func shapeProblem(_ bytes: [UInt8]) -> Problem? {
        var lines = 0, longest = 0, current = 0
        bytes.withUnsafeBufferPointer { buffer in
            for byte in buffer {
                if byte == 0x0A {
                    lines += 1
                    if current > longest { longest = current }
                    current = 0
                } else {
                    current += 1
                }
            }
        }
        longest = max(longest, current)
        if longest > maxLineBytes {
            return Problem(row: 0, column: "", code: "line_too_long",
                           en: "A line of the file is longer than \(maxLineBytes) bytes; a roster row is much shorter. Check that this is the roster file.",
                           vi: "Tệp có dòng dài hơn \(maxLineBytes) byte; một dòng danh sách nhân viên ngắn hơn nhiều. Kiểm tra lại tệp.")
        }
        // Blank lines and quoted line breaks count as lines here; the bound leaves a little room for them.
        if lines > maxRows + 1_000 {
            return Problem(row: 0, column: "", code: "too_many_rows",
                           en: "The file has more than \(maxRows) rows; split it or contact the operator.",
                           vi: "Tệp có hơn \(maxRows) dòng; hãy chia nhỏ tệp hoặc liên hệ quản trị viên.")
        }
        return nil
    }

    // MARK: Decoding

    /// The text of the file, or nil when it is neither UTF-8 nor UTF-16 with a byte-order mark.
    public static func decode(_ bytes: [UInt8]) -> (text: String, encoding: String)? {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            return String(validating: bytes.dropFirst(3), as: UTF8.self).map { ($0, "utf-8") }
        }
        if bytes.starts(with: [0xFF, 0xFE]) { return utf16(bytes.dropFirst(2), littleEndian: true).map { ($0, "utf-16le") } }
        if bytes.starts(with: [0xFE, 0xFF]) { return utf16(bytes.dropFirst(2), littleEndian: false).map { ($0, "utf-16be") } }
        // UTF-16 without a BOM is full of NUL bytes; refusing it beats importing garbage.
        if bytes.contains(0) { return nil }
        return String(validating: bytes, as: UTF8.self).map { ($0, "utf-8") }
    }

    static func utf16(_ bytes: ArraySlice<UInt8>, littleEndian: Bool) -> String? {
        guard bytes.count % 2 == 0 else { return nil }
        var units: [UInt16] = []
        units.reserveCapacity(bytes.count / 2)
        var i = bytes.startIndex
        while i < bytes.endIndex {
            let a = UInt16(bytes[i]), b = UInt16(bytes[i + 1])
            units.append(littleEndian ? (b << 8 | a) : (a << 8 | b))
            i += 2
        }
        return String(validating: units, as: UTF16.self)
    }

    // MARK: Records

    /// The separator Excel used: whichever of `,` `;` tab occurs most in the header line.
    static func detectSeparator(_ text: String) -> Character {
        let header = text.prefix { $0 != "\n" && $0 != "\r\n" && $0 != "\r" }
        let counts: [(Character, Int)] = [(",", 0), (";", 0), ("\t", 0)].map { sep, _ in (sep, header.filter { $0 == sep }.count) }
        let best = counts.max { $0.1 < $1.1 }!
        return best.1 == 0 ? "," : best.0
    }

    /// RFC 4180 records: quoted fields may hold separators, quotes (doubled) and line breaks.
    static func records(_ text: String, separator: Character) -> [[String]] {
        let sep = separator.unicodeScalars.first!
        var records: [[String]] = []
        var record: [String] = []
        var field = String.UnicodeScalarView()
        var quoted = false
        var scalars = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        func next() -> Unicode.Scalar? {
            if let p = pending { pending = nil; return p }
            return scalars.next()
        }
        func endRecord() {
            record.append(String(field)); field = .init()
            records.append(record); record = []
        }
        var sawAny = false
        while let c = next() {
            sawAny = true
            if quoted {
                if c == "\"" {
                    if let n = next() {
                        if n == "\"" { field.append("\"") } else { quoted = false; pending = n }
                    } else { quoted = false }
                } else {
                    field.append(c)
                }
                continue
            }
            switch c {
            case "\"" where field.isEmpty: quoted = true
            case sep: record.append(String(field)); field = .init()
            case "\r":
                if let n = next(), n != "\n" { pending = n }
                endRecord()
            case "\n": endRecord()
            default: field.append(c)
            }
        }
        if sawAny && (!field.isEmpty || !record.isEmpty) { endRecord() }
        return records
    }

    // MARK: Header

    /// Header names, folded (lower case, no diacritics, punctuation as spaces), in English and Vietnamese.
    static let headerNames: [Column: Set<String>] = [
        .name: ["name", "full name", "fullname", "employee name", "ho ten", "ho va ten", "ten", "ho ten nhan vien", "ten nhan vien", "ho va ten nhan vien"],
        .phone: ["phone", "phone number", "mobile", "telephone", "so dien thoai", "dien thoai", "sdt", "so dt", "dt", "dtdd", "so dien thoai di dong"],
        .cccd: ["cccd", "so cccd", "can cuoc", "can cuoc cong dan", "so can cuoc", "so can cuoc cong dan", "cmnd/cccd", "cccd/cmnd", "cmnd cccd",
                "cccd cmnd", "id number", "citizen id", "national id", "so dinh danh", "so dinh danh ca nhan", "ma dinh danh"],
        .bhyt: ["bhyt", "so bhyt", "ma bhyt", "so the bhyt", "ma the bhyt", "the bhyt", "bhxh", "so bhxh", "ma so bhxh", "health insurance",
                "health insurance number", "health insurance card", "insurance number"],
        .department: ["department", "dept", "division", "phong ban", "bo phan", "phong", "don vi", "to", "xuong", "phan xuong", "to/xuong"],
        .employeeNumber: ["employee number", "employee no", "employee id", "employee code", "staff number", "staff id", "ma nhan vien", "ma nv",
                          "msnv", "ma so nhan vien", "ma so nv", "so the nhan vien"],
    ]

    static func foldHeader(_ text: String) -> String {
        let folded = TextFolding.fold(text.replacingOccurrences(of: "\u{FEFF}", with: ""))
        let cleaned = String(folded.map { $0.isLetter || $0.isNumber || $0 == "/" ? $0 : " " })
        return cleaned.split(separator: " ").joined(separator: " ")
    }

    static func column(forHeader text: String) -> Column? {
        let key = foldHeader(text)
        return Column.allCases.first { headerNames[$0]!.contains(key) }
    }

    // MARK: Parsing

    /// Decodes, splits and validates a whole file. Problems never stop the scan early, so one upload
    /// shows every mistake; a file with any problem must not be imported.
    public static func parse(_ bytes: [UInt8]) -> Parsed {
        var parsed = Parsed()
        // Trust rule 8: one linear pass over the raw bytes refuses a file shaped like no roster (a
        // line longer than any row, or more lines than rows allowed) before decoding and splitting,
        // which cost seconds on a hostile 16 MiB upload.
        if let problem = shapeProblem(bytes) {
            parsed.problems.append(problem)
            return parsed
        }
        guard let decoded = decode(bytes) else {
            parsed.problems.append(Problem(row: 0, column: "", code: "bad_encoding",
                en: "The file is not UTF-8 or UTF-16 text. In Excel use Save As → \"CSV UTF-8\" or \"Unicode Text\".",
                vi: "Tệp không phải văn bản UTF-8 hoặc UTF-16. Trong Excel chọn Lưu thành → \"CSV UTF-8\" hoặc \"Unicode Text\"."))
            return parsed
        }
        parsed.encoding = decoded.encoding
        // Names typed on a Mac arrive decomposed; stored names and comparisons use the composed form.
        let text = decoded.text.precomposedStringWithCanonicalMapping
        parsed.separator = detectSeparator(text)
        var table = Self.records(text, separator: parsed.separator)
        while let last = table.last, last.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) { table.removeLast() }
        guard let header = table.first else {
            parsed.problems.append(Problem(row: 0, column: "", code: "empty_file", en: "The file is empty.", vi: "Tệp không có dữ liệu."))
            return parsed
        }
        var index: [Column: Int] = [:]
        for (i, cell) in header.enumerated() {
            guard let column = column(forHeader: cell) else { continue }
            if index[column] != nil {
                parsed.problems.append(Problem(row: 1, column: column.rawValue, code: "duplicate_column",
                    en: "The column \"\(cell)\" appears twice.", vi: "Cột \"\(cell)\" xuất hiện hai lần."))
            } else {
                index[column] = i
            }
        }
        parsed.columns = Column.allCases.filter { index[$0] != nil }
        if index[.name] == nil {
            parsed.problems.append(Problem(row: 1, column: "name", code: "missing_column",
                en: "No name column; the first row must name the columns (e.g. name, phone, CCCD, BHYT, department, employee number).",
                vi: "Không có cột họ tên; dòng đầu phải là tên cột (vd. Họ tên, Số điện thoại, CCCD, BHYT, Phòng ban, Mã nhân viên)."))
        }
        if index[.phone] == nil && index[.cccd] == nil && index[.bhyt] == nil {
            parsed.problems.append(Problem(row: 1, column: "phone", code: "missing_column",
                en: "A phone, CCCD or BHYT column is needed to recognise employees when they check in.",
                vi: "Cần có cột số điện thoại, CCCD hoặc BHYT để nhận ra nhân viên khi quét mã."))
        }
        if !parsed.problems.isEmpty { return parsed }
        if table.count - 1 > maxRows {
            parsed.problems.append(Problem(row: 0, column: "", code: "too_many_rows",
                en: "The file has \(table.count - 1) rows; at most \(maxRows) can be imported at once.",
                vi: "Tệp có \(table.count - 1) dòng; mỗi lần nhập tối đa \(maxRows) dòng."))
            return parsed
        }

        var seen: [Column: [String: Int]] = [:]
        for (offset, record) in table.dropFirst().enumerated() {
            let rowNumber = offset + 2
            func cell(_ column: Column) -> String {
                guard let i = index[column], i < record.count else { return "" }
                return record[i].trimmingCharacters(in: .whitespacesAndNewlines)
            }
            if record.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) { continue }
            let (row, problems) = validate(row: rowNumber, name: cell(.name), phone: cell(.phone), cccd: cell(.cccd), bhyt: cell(.bhyt),
                                           department: cell(.department), employeeNumber: cell(.employeeNumber))
            parsed.problems += problems
            guard let row else { continue }
            // The same employee twice would be counted twice; name the earlier row so HR can pick one.
            let keys: [(Column, String?)] = [(.employeeNumber, row.employeeNumber.isEmpty ? nil : row.employeeNumber.uppercased()),
                                             (.phone, row.phone?.e164), (.cccd, row.cccd), (.bhyt, row.bhyt)]
            var duplicate = false
            for (column, key) in keys {
                guard let key else { continue }
                if let earlier = seen[column]?[key] {
                    duplicate = true
                    parsed.problems.append(duplicateProblem(row: rowNumber, column: column, earlierRow: earlier))
                } else {
                    seen[column, default: [:]][key] = rowNumber
                }
            }
            if !duplicate { parsed.rows.append(row) }
        }
        if parsed.rows.isEmpty && parsed.problems.isEmpty {
            parsed.problems.append(Problem(row: 0, column: "", code: "no_rows", en: "The file has a header but no employees.",
                                           vi: "Tệp chỉ có dòng tiêu đề, không có nhân viên nào."))
        }
        return parsed
    }

    static func duplicateProblem(row: Int, column: Column, earlierRow: Int) -> Problem {
        let (en, vi): (String, String) = switch column {
        case .employeeNumber: ("employee number", "mã nhân viên")
        case .phone: ("phone number", "số điện thoại")
        case .cccd: ("CCCD number", "số CCCD")
        case .bhyt: ("BHYT number", "số BHYT")
        default: (column.rawValue, column.rawValue)
        }
        return Problem(row: row, column: column.rawValue, code: "duplicate_row",
                       en: "Same \(en) as row \(earlierRow).", vi: "Trùng \(vi) với dòng \(earlierRow).")
    }

    /// Checks one employee, from a file row or from the add/edit form (row 0).
    public static func validate(row: Int, name: String, phone: String, cccd: String, bhyt: String, department: String,
                                employeeNumber: String) -> (Row?, [Problem]) {
        var problems: [Problem] = []
        func problem(_ column: Column, _ code: String, _ en: String, _ vi: String) {
            problems.append(Problem(row: row, column: column.rawValue, code: code, en: en, vi: vi))
        }
        let name = name.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
        if name.isEmpty { problem(.name, "missing_name", "The name is empty.", "Thiếu họ tên.") }
        if name.count > 200 { problem(.name, "too_long", "The name is longer than 200 characters.", "Họ tên dài quá 200 ký tự.") }

        var parsedPhone: PhoneNumber?
        if !phone.isEmpty {
            // Excel stores 0912345678 typed in a General cell as the number 912345678.
            let digits = phone.filter(\.isNumber)
            let candidate = (digits == phone && digits.count == 9 && "35789".contains(digits.first!)) ? "0" + phone : phone
            parsedPhone = PhoneNumber(candidate)
            if parsedPhone == nil {
                problem(.phone, "invalid_phone", "\"\(excerpt(phone))\" is not a Vietnamese phone number.",
                        "\"\(excerpt(phone))\" không phải số điện thoại Việt Nam.")
            }
        }
        var parsedCCCD: String?
        if !cccd.isEmpty {
            let compact = cccd.filter { $0 != " " && $0 != "." && $0 != "-" }
            // A CCCD starts with a 0 (province codes 001–096), which Excel drops from numeric cells.
            let candidate = compact.count == 11 && compact.allSatisfy(\.isNumber) ? "0" + compact : compact
            if case .success(let value) = CCCDCard.validateID(candidate) {
                parsedCCCD = value
            } else {
                let hint = compact.uppercased().contains("E+") ? " Excel shows it in scientific notation: format the column as Text." : ""
                let hintVi = compact.uppercased().contains("E+") ? " Excel đang hiển thị dạng số mũ: định dạng cột là Text." : ""
                problem(.cccd, "invalid_cccd", "\"\(excerpt(cccd))\" is not a 12-digit CCCD number.\(hint)",
                        "\"\(excerpt(cccd))\" không phải số CCCD 12 chữ số.\(hintVi)")
            }
        }
        var parsedBHYT: String?
        if !bhyt.isEmpty {
            let compact = bhyt.filter { $0 != " " && $0 != "." && $0 != "-" }.uppercased()
            if BHYTCard.isValidCardNumber(compact) {
                parsedBHYT = compact
            } else {
                problem(.bhyt, "invalid_bhyt", "\"\(excerpt(bhyt))\" is not a BHYT card number (2 letters + 13 digits, or 10 digits).",
                        "\"\(excerpt(bhyt))\" không phải mã thẻ BHYT (2 chữ + 13 số, hoặc 10 số).")
            }
        }
        if phone.isEmpty && cccd.isEmpty && bhyt.isEmpty {
            problem(.phone, "no_identifier", "A phone, CCCD or BHYT number is needed to recognise the employee at check-in.",
                    "Cần số điện thoại, CCCD hoặc BHYT để nhận ra nhân viên khi quét mã.")
        }
        let department = department.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
        if department.count > 100 { problem(.department, "too_long", "The department is longer than 100 characters.", "Tên phòng ban dài quá 100 ký tự.") }
        if employeeNumber.count > 50 {
            problem(.employeeNumber, "too_long", "The employee number is longer than 50 characters.", "Mã nhân viên dài quá 50 ký tự.")
        }
        guard problems.isEmpty else { return (nil, problems) }
        return (Row(row: row, name: name, phone: parsedPhone, cccd: parsedCCCD, bhyt: parsedBHYT, department: department,
                    employeeNumber: employeeNumber), [])
    }

    static func excerpt(_ text: String) -> String { text.count > 24 ? String(text.prefix(24)) + "…" : text }
}

/// Shuttle-bus trips (E3): a bus's scans of a day split wherever the bus stood empty longer than `gap`.
public enum Trips {
    public static func group<T>(_ items: [T], gap: Int64, time: (T) -> Int64) -> [[T]] {
        let sorted = items.sorted { time($0) < time($1) }
        var trips: [[T]] = []
        for item in sorted {
            if let last = trips.last?.last, time(item) - time(last) <= gap {
                trips[trips.count - 1].append(item)
            } else {
                trips.append([item])
            }
        }
        return trips
    }
}
