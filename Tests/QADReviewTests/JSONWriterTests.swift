import Foundation
import Testing
@testable import QADReview

@Suite struct JSONWriterTests {
    @Test func objectsArraysAndScalars() throws {
        var w = JSONWriter()
        w.openObject()
        w.key("id"); w.targetID(39_633_559_463_397_000)
        w.key("neg"); w.int(-3)
        w.key("whole"); w.number(2)
        w.key("tenth"); w.number(0.1)
        w.key("missing"); w.number(.nan)
        w.key("name"); w.string("a\"b<")
        w.key("ok"); w.bool(true)
        w.key("list"); w.openArray(); w.int(1); w.null(); w.closeArray()
        w.closeObject()
        #expect(w.text == #"{"id":39633559463397000,"neg":-3,"whole":2,"tenth":0.1,"missing":null,"name":"a\"b\u003c","ok":true,"list":[1,null]}"#)
        #expect(try JSONSerialization.jsonObject(with: Data(w.text.utf8)) is [String: Any])
    }

    @Test func floatsKeepFourSignificantDigits() {
        var w = JSONWriter()
        w.floats([0, 1, -1, 1.5, -0.5, 0.25, 0.0001220703125, 123_456.7, 9.99996, 1e-5, 3e9, .nan, .infinity])
        #expect(w.text == "[0,1,-1,1.5,-0.5,0.25,0.0001221,123457,10,1e-05,3e+09,null,null]")
    }

    @Test func doublesHaveFixedDecimals() {
        var w = JSONWriter()
        w.doubles([2.5, -2.5, -0.0004, 0, 1234.56789, .nan], decimals: 3)
        #expect(w.text == "[2.500,-2.500,0.000,0.000,1234.568,null]")
        var whole = JSONWriter()
        whole.doubles([7.4, -7.6], decimals: 0)
        #expect(whole.text == "[7,-8]")
    }

    /// Every written float parses back (as JSON numbers) within half a unit of its fourth significant digit.
    @Test func floatsParseBackClose() throws {
        var rng = SystemRandomNumberGenerator()
        let values: [Float] = (0..<20_000).map { _ in
            let sign: Float = Bool.random(using: &rng) ? 1 : -1
            return sign * Float(pow(10, Double.random(in: -3.9...8.9, using: &rng)))
        }
        var w = JSONWriter()
        w.floats(values)
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(w.text.utf8)) as? [NSNumber])
        #expect(parsed.count == values.count)
        let worst = zip(values, parsed).map { abs(Double($0) - $1.doubleValue) / abs(Double($0)) }.max() ?? 1
        #expect(worst <= 5.001e-4)
    }
}
