// One colour per compared run (Okabe–Ito and Tableau hues, told apart by most colour-blind
// readers), with a letter that names the run in the tables and charts.

const COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#8C564B", "#7F7F7F", "#BCBD22", "#17BECF"];

export const runColour = (i: number): string => COLOURS[i % COLOURS.length]!;
export const runLetter = (i: number): string => String.fromCharCode(65 + (i % 26));
