import Foundation
import QADCore
import Testing
@testable import QADDetect

/// The explanation windows and neighbour lists every score row stores as
/// text: the direct readers agree with JSON, and refuse what is not a list.
@Suite struct StoredListTextTests {
    @Test func explanationWindowsReadBackAsWrittenAndAsJSONSays() throws {
        let lists: [[ExplanationWindow]] = [
            [],
            [ExplanationWindow(window: "CIV", frame: "rest", share: 0.5)],
            [ExplanationWindow(window: "Lyα forest", frame: "rest", share: 0.502),
             ExplanationWindow(window: "OH bands", frame: "obs", share: 1e-05),
             ExplanationWindow(window: "continuum", frame: "rest", share: 0.24543216789)],
            // A slash is escaped by JSONEncoder ("\\/"): read by the JSON fallback.
            [ExplanationWindow(window: "arm join b/r", frame: "obs", share: 0.3)],
        ]
        for windows in lists {
            let text = ExplanationWindow.storedText(windows)
            #expect(try ExplanationWindow.parse(text) == windows, "\(text)")
            #expect(try ExplanationWindow.parse(text) == JSONDecoder().decode([ExplanationWindow].self, from: Data(text.utf8)))
        }
        #expect(ExplanationWindow.parseStored("[{\"frame\":\"obs\",\"share\":0.3,\"window\":\"arm join b\\/r\"}]") == nil)
        // Other spacing or key order: JSON's reading.
        let spaced = "[ {\"window\": \"MgII\", \"share\": 0.25, \"frame\": \"rest\"} ]"
        #expect(try ExplanationWindow.parse(spaced) == [ExplanationWindow(window: "MgII", frame: "rest", share: 0.25)])
        for bad in ["", "[", "[{\"frame\":\"rest\",\"share\":x,\"window\":\"CIV\"}]", "{}", "[{\"frame\":\"rest\"}]",
                    "[{\"frame\":\"rest\",\"share\":0.5,\"window\":\"CIV\"}]x"] {
            #expect(throws: StoredValueError.self, "\(bad)") { try ExplanationWindow.parse(bad) }
        }
    }

    @Test func targetIDListsAreExactAndStrict() throws {
        let ids: [TargetID] = [39_627_028_235_817_575, 1, 0, -5, Int64.max, Int64.min]
        let text = TargetIDList.storedText(ids)
        #expect(try TargetIDList.parse(text) == ids)
        #expect(try TargetIDList.parse("[]") == [] && TargetIDList.parse(" [ ] ") == [])
        #expect(try TargetIDList.parse(" [ 3 , 4 ]\t") == [3, 4])
        for bad in ["", "[", "]", "[1,,2]", "[1,]", "[,1]", "1,2", "[a]", "[1 2]", "[99999999999999999999]",
                    "[-9223372036854775809]", "[1]x", "[+1]", "[1.5]"] {
            #expect(throws: StoredValueError.self, "\(bad)") { try TargetIDList.parse(bad) }
        }
    }
}
