import Testing

@testable import Economy

/// One row of `tax.taxes_due` in foundation-facts.json.
private struct Row: Sendable, CustomTestStringConvertible {
  var income: Double
  var taxesDue: Double
  var marginalRate: Double
  var incomeBin: Double
  var taxesDueViaModelWrapper: Double
  init(_ income: Double, _ due: Double, _ rate: Double, _ bin: Double, _ viaWrapper: Double) {
    (self.income, taxesDue, marginalRate, incomeBin, taxesDueViaModelWrapper) =
      (income, due, rate, bin, viaWrapper)
  }
  var testDescription: String { "income \(income)" }
}

private let usFederalRows: [Row] = [
  Row(0.0, 0.0, 0.1, 0.0, 0.0),
  Row(5.0, 0.5, 0.1, 0.0, 0.5),
  Row(9.7, 0.97, 0.12, 9.7, 0.97),
  Row(10.0, 1.006, 0.12, 9.7, 1.0),
  Row(39.475, 4.543, 0.22, 39.475, 3.9475000000000007),
  Row(50.0, 6.858499999999999, 0.22, 39.475, 6.0525),
  Row(84.2, 14.3825, 0.24, 84.2, 12.892500000000002),
  Row(100.0, 18.1745, 0.24, 84.2, 16.8425),
  Row(160.725, 32.74849999999999, 0.32, 160.725, 32.02375),
  Row(204.1, 46.628499999999995, 0.35, 204.1, 45.03625),
  Row(300.0, 80.1935, 0.35, 204.1, 78.60125000000001),
  Row(510.3, 153.79850000000002, 0.37, 510.3, 152.20625000000004),
  Row(1000.0, 334.9875, 0.37, 510.3, 323.60125000000005),
]

private let customRows: [Row] = [
  Row(0.0, 0.0, 0.0, 0.0, 0.0),
  Row(5.0, 0.0, 0.0, 0.0, 0.0),
  Row(9.7, 0.0, 0.05, 9.7, 0.0),
  Row(10.0, 0.015000000000000036, 0.05, 9.7, 0.015000000000000036),
  Row(39.475, 1.4887500000000002, 0.5, 39.475, 1.4887500000000002),
  Row(50.0, 6.75125, 0.5, 39.475, 6.75125),
  Row(84.2, 23.85125, 1.0, 84.2, 23.85125),
  Row(100.0, 39.65125, 1.0, 84.2, 39.65125),
  Row(160.725, 100.37625, 0.3, 160.725, 100.37625),
  Row(204.1, 113.38875, 0.2, 204.1, 113.38875),
  Row(300.0, 132.56875, 0.2, 204.1, 132.56875),
  Row(510.3, 174.62875000000003, 0.9, 510.3, 174.62875000000003),
  Row(1000.0, 615.3587500000001, 0.9, 510.3, 615.3587500000001),
]

private let customRates: [Double] = [0, 0.05, 0.5, 1, 0.3, 0.2, 0.9]

@Suite("TaxBrackets")
struct TaxBracketsTests {
  let federal = TaxBrackets()
  let menu = TaxBrackets.discreteRates(min: 0, max: 1, step: 0.05)

  @Test("us-federal cutoffs, sizes and names")
  func usFederalShape() {
    #expect(federal.count == 7)
    expectRelativelyClose(federal.cutoffs, [0, 9.7, 39.475, 84.2, 160.725, 204.1, 510.3], rel: 0)
    expectRelativelyClose(
      federal.sizes,
      [9.7, 29.775000000000002, 44.725, 76.52499999999999, 43.375, 306.20000000000005, .infinity],
      rel: 0)
    #expect(federal.names == ["000", "009", "039", "084", "160", "204", "510"])
    expectRelativelyClose(federal.topCutoff, 510.3, rel: 0)
  }

  @Test("us-federal rates, exact", arguments: usFederalRows)
  fileprivate func usFederalExact(row: Row) {
    let rates = TaxBrackets.usFederal2018Rates
    expectRelativelyClose(federal.taxesDue(income: row.income, rates: rates), row.taxesDue, rel: 0)
    expectRelativelyClose(federal.marginalRate(income: row.income, rates: rates), row.marginalRate, rel: 0)
    expectRelativelyClose(federal.cutoffs[federal.bracketIndex(income: row.income)], row.incomeBin, rel: 0)
  }

  @Test("us-federal rates through the planner's nearest discrete rates", arguments: usFederalRows)
  fileprivate func usFederalViaModelWrapper(row: Row) {
    let rates = [2, 2, 4, 5, 6, 7, 7].map { menu[$0] }
    expectRelativelyClose(
      rates, [0.1, 0.1, 0.2, 0.25, 0.30000000000000004, 0.35000000000000003, 0.35000000000000003],
      rel: 0)
    expectRelativelyClose(
      federal.taxesDue(income: row.income, rates: rates), row.taxesDueViaModelWrapper, rel: 0)
  }

  @Test("custom rates, exact and through discrete rates", arguments: customRows)
  fileprivate func custom(row: Row) {
    expectRelativelyClose(federal.taxesDue(income: row.income, rates: customRates), row.taxesDue, rel: 0)
    expectRelativelyClose(
      federal.marginalRate(income: row.income, rates: customRates), row.marginalRate, rel: 0)
    expectRelativelyClose(federal.cutoffs[federal.bracketIndex(income: row.income)], row.incomeBin, rel: 0)
    let viaMenu = [0, 1, 10, 20, 6, 4, 18].map { menu[$0] }
    expectRelativelyClose(
      federal.taxesDue(income: row.income, rates: viaMenu), row.taxesDueViaModelWrapper, rel: 0)
  }

  @Test("negative and degenerate incomes")
  func negativeIncome() {
    let rates = TaxBrackets.usFederal2018Rates
    expectRelativelyClose(federal.taxesDue(income: -5, rates: rates), 0, rel: 0)
    expectRelativelyClose(federal.marginalRate(income: -5, rates: rates), 0, rel: 0)
    #expect(federal.bracketIndex(income: -5) == 0)
    // numpy's argmax over an all-false mask is 0: NaN and +inf fall in "bracket 0".
    #expect(federal.bracketIndex(income: .nan) == 0)
    #expect(federal.bracketIndex(income: .infinity) == 0)
    #expect(federal.bracketIndex(income: 1e9) == 6)
  }

  @Test("the 21 discrete rates, bit for bit")
  func discreteRatesExact() {
    let expected: [Double] = [
      0.0, 0.05, 0.1, 0.15000000000000002, 0.2, 0.25, 0.30000000000000004, 0.35000000000000003,
      0.4, 0.45, 0.5, 0.55, 0.6000000000000001, 0.65, 0.7000000000000001, 0.75, 0.8,
      0.8500000000000001, 0.9, 0.9500000000000001, 1.0,
    ]
    #expect(menu.map(\.bitPattern) == expected.map(\.bitPattern))
  }

  @Test("arange recomputes its step from the first two values")
  func discreteRatesOffset() {
    // np.arange(0.1, 0.95, 0.05): the step becomes (0.1 + 0.05) - 0.1 = 0.05000000000000002,
    // so the last value is 0.9000000000000002 > 0.9 and is dropped.
    let rates = TaxBrackets.discreteRates(min: 0.1, max: 0.9, step: 0.05)
    #expect(rates.count == 16)
    expectRelativelyClose(rates[1], 0.15000000000000002, rel: 0)
    expectRelativelyClose(rates[2], 0.20000000000000004, rel: 0)
    expectRelativelyClose(rates[15], 0.8500000000000002, rel: 0)
    #expect(TaxBrackets.discreteRates(min: 0, max: 0, step: 0.05).count == 1)
  }

  @Test("linear spacing matches np.linspace")
  func linearSpacing() {
    let seven = TaxBrackets(spacing: .linear, nBrackets: 7, topBracketCutoff: 100)
    expectRelativelyClose(
      seven.cutoffs,
      [
        0.0, 16.666666666666668, 33.333333333333336, 50.0, 66.66666666666667, 83.33333333333334,
        100.0,
      ],
      rel: 0)
    expectRelativelyClose(
      seven.sizes,
      [
        16.666666666666668, 16.666666666666668, 16.666666666666664, 16.66666666666667,
        16.66666666666667, 16.666666666666657, .infinity,
      ],
      rel: 0)
    #expect(seven.names == ["000", "016", "033", "050", "066", "083", "100"])
    let five = TaxBrackets(spacing: .linear, nBrackets: 5, topBracketCutoff: 250.5)
    expectRelativelyClose(five.cutoffs, [0.0, 62.625, 125.25, 187.875, 250.5], rel: 0)
    let two = TaxBrackets(spacing: .linear, nBrackets: 2, topBracketCutoff: 10)
    expectRelativelyClose(two.cutoffs, [0, 10], rel: 0)
  }

  @Test("log spacing matches 2 ** np.linspace(log2(...)) (top cutoff not exact)")
  func logSpacing() {
    let five = TaxBrackets(spacing: .log, nBrackets: 5, topBracketCutoff: 100)
    expectRelativelyClose(
      five.cutoffs, [0.0, 12.5, 24.999999999999993, 49.999999999999986, 99.99999999999997])
    #expect(five.names == ["000", "012", "024", "049", "099"])
    let seven = TaxBrackets(spacing: .log, nBrackets: 7, topBracketCutoff: 250.5)
    expectRelativelyClose(
      seven.cutoffs,
      [
        0.0, 7.828125, 15.65625, 31.31249999999999, 62.62499999999998, 125.24999999999996,
        250.49999999999991,
      ])
    let two = TaxBrackets(spacing: .log, nBrackets: 2, topBracketCutoff: 100)
    expectRelativelyClose(two.cutoffs, [0.0, 99.99999999999997])
    // Labels collide when cutoffs truncate to the same integer, as in Foundation.
    let small = TaxBrackets(spacing: .log, nBrackets: 7, topBracketCutoff: 10)
    expectRelativelyClose(
      small.cutoffs, [0.0, 0.3125, 0.625, 1.25, 2.5, 5.000000000000001, 9.999999999999998])
    #expect(small.names == ["000", "000", "000", "001", "002", "005", "009"])
  }

  @Test("other usd scalings")
  func usdScaling() {
    let dollars = TaxBrackets(spacing: .usFederal, usdScaling: 1)
    #expect(dollars.names == ["000", "9700", "39475", "84200", "160725", "204100", "510300"])
    let thirds = TaxBrackets(spacing: .usFederal, usdScaling: 3)
    expectRelativelyClose(
      thirds.cutoffs,
      [
        0.0, 3233.3333333333335, 13158.333333333334, 28066.666666666668, 53575.0,
        68033.33333333333, 170100.0,
      ],
      rel: 0)
  }

  @Test("20 linear brackets use numpy's pairwise summation")
  func manyBrackets() {
    let brackets = TaxBrackets(spacing: .linear, nBrackets: 20, topBracketCutoff: 95)
    let rates = (0..<20).map { Double(($0 * 7) % 20) / 20.0 + 0.013 }
    // (income, taxes_due, marginal_rate, income_bin) from Foundation 1.7.1.
    let rows: [(Double, Double, Double, Double)] = [
      (-3.0, 0.0, 0.0, 0.0), (0.0, 0.0, 0.013, 0.0), (4.9, 0.0637, 0.013, 0.0),
      (5.0, 0.065, 0.363, 5.0), (33.3, 12.0129, 0.113, 30.0), (94.99, 45.48187, 0.313, 90.0),
      (95.0, 45.485, 0.663, 95.0), (123.456, 64.351328, 0.663, 95.0),
      (10000.0, 6612.5, 0.663, 95.0),
    ]
    for (income, due, rate, bin) in rows {
      expectRelativelyClose(brackets.taxesDue(income: income, rates: rates), due, rel: 1e-15)
      expectRelativelyClose(brackets.marginalRate(income: income, rates: rates), rate, rel: 0)
      expectRelativelyClose(brackets.cutoffs[brackets.bracketIndex(income: income)], bin, rel: 0)
    }
  }

  @Test("numpy pairwise summation order")
  func pairwiseSum() {
    // 1e16 + 1 + 1 − 1e16 loses the ones when added left to right but not pairwise
    // (8 accumulators keep the ones apart from the large values).
    var values = [Double](repeating: 1, count: 16)
    values[0] = 1e16
    values[8] = -1e16
    expectRelativelyClose(TaxArithmetic.sum(values), 14, rel: 0)
    var small = [1e16, 1, 1, -1e16]
    expectRelativelyClose(TaxArithmetic.sum(small), 0, rel: 0)
    small = (0..<300).map { Double($0) * 0.1 }
    expectRelativelyClose(TaxArithmetic.sum(small), 4485.0, rel: 1e-13)
  }
}

@Suite("TaxAnnealingSchedule")
struct TaxAnnealingTests {
  let menu = TaxBrackets.discreteRates(min: 0, max: 1, step: 0.05)
  let phase2 = TaxAnnealingSchedule(warmup: -100, slope: 0.001)

  @Test("phase-2 schedule [-100, 0.001]")
  func phase2Limits() {
    expectRelativelyClose(phase2.limit(completions: 0, maxRate: 1), 0.1, rel: 0)
    expectRelativelyClose(phase2.limit(completions: 400, maxRate: 1), 0.5, rel: 0)
    expectRelativelyClose(phase2.limit(completions: 900, maxRate: 1), 1.0, rel: 0)
    expectRelativelyClose(phase2.limit(completions: 2000, maxRate: 1), 1.0, rel: 0)
    #expect(phase2.mask(completions: 0, rates: menu) == (0..<21).map { $0 <= 2 })
    #expect(phase2.mask(completions: 400, rates: menu) == (0..<21).map { $0 <= 10 })
    #expect(phase2.mask(completions: 900, rates: menu) == Array(repeating: true, count: 21))
    #expect(phase2.mask(completions: 2000, rates: menu) == Array(repeating: true, count: 21))
  }

  @Test("0.15000000000000002 stays masked at a limit of exactly 0.15")
  func roundingAtTheLimit() {
    expectRelativelyClose(phase2.limit(completions: 50, maxRate: 1), 0.15, rel: 0)
    #expect(phase2.mask(completions: 50, rates: menu) == (0..<21).map { $0 <= 2 })
  }

  @Test("utils.py docstring examples; zero is always allowed")
  func docstringExamples() {
    let limit = annealedTaxLimit
    expectRelativelyClose(limit(0, 100, 0.01, 1), 0, rel: 0)
    expectRelativelyClose(limit(100, 100, 0.01, 1), 0, rel: 0)
    expectRelativelyClose(limit(150, 100, 0.01, 1), 0.5, rel: 0)
    expectRelativelyClose(limit(200, 100, 0.01, 1), 1, rel: 0)
    expectRelativelyClose(limit(1000, 100, 0.01, 1), 1, rel: 0)
    expectRelativelyClose(limit(175, 100, 0.01, 0.8), 0.6000000000000001, rel: 0)
    let values = [0.0, 0.25, 0.5, 0.75, 1.0]
    let mask = annealedTaxMask
    // The docstring shows all zeros at 0 completions, but 0 <= 0 keeps the zero rate.
    #expect(mask(0, 100, 0.01, values) == [true, false, false, false, false])
    #expect(mask(150, 100, 0.01, values) == [true, true, true, false, false])
    #expect(mask(200, 100, 0.01, values) == [true, true, true, true, true])
    // Subsidies (negative rates) are judged by magnitude.
    #expect(mask(50, 0, 0.01, [-1.0, -0.5, 0.0, 0.25, 0.5]) == [false, true, true, true, true])
    #expect(isTaxRateAllowed(0, currentMax: 0))
    #expect(!isTaxRateAllowed(-0.2, currentMax: 0.1))
  }
}
