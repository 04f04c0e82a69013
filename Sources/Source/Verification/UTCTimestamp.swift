/// OpenSSH's absolute times (`YYYYMMDD`, `YYYYMMDDHHMM` or `YYYYMMDDHHMMSS`) as seconds since
/// 1970, accepted only with the trailing `Z` that makes them UTC.
enum UTCTimestamp {
    /// The seconds since 1970 that `text` names; nil when it is not one of the three forms
    /// followed by `Z`/`z`, or names no real date.
    static func parse(_ text: String) -> Int64? {
        guard let last = text.last, last == "Z" || last == "z" else { return nil }
        let digits = Array(text.utf8.dropLast())
        guard [8, 12, 14].contains(digits.count), digits.allSatisfy({ (48...57).contains($0) }) else { return nil }
        func field(_ start: Int, _ length: Int) -> Int64 {
            guard start + length <= digits.count else { return 0 }
            return digits[start..<start + length].reduce(0) { $0 * 10 + Int64($1 - 48) }
        }
        let (year, month, day) = (field(0, 4), field(4, 2), field(6, 2))
        let (hour, minute, second) = (field(8, 2), field(10, 2), field(12, 2))
        guard (1...12).contains(month), (1...Self.daysIn(month: month, year: year)).contains(day), hour < 24, minute < 60,
            second < 60
        else { return nil }
        return Self.daysSinceEpoch(year: year, month: month, day: day) * 86_400 + hour * 3_600 + minute * 60 + second
    }

    private static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days from 1970-01-01 to the proleptic Gregorian date (H. Hinnant's `days_from_civil`).
    private static func daysSinceEpoch(year: Int64, month: Int64, day: Int64) -> Int64 {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
