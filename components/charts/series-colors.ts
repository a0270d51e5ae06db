// One colour per event type, the same in every chart, legend and table of a page.
const PALETTE = ['#4f46e5', '#0891b2', '#16a34a', '#ca8a04', '#db2777', '#7c3aed', '#ea580c', '#0d9488', '#64748b', '#2563eb', '#9333ea', '#65a30d'];

export function seriesColor(index: number): string {
  return PALETTE[index % PALETTE.length];
}

/** A total over every type (the overall error rate): red, in none of the types' colours, seen in both themes. */
export const ALL_TYPES_COLOR = '#e11d48';
