export default function DeadLettersPage() {
  return <h1 className="text-lg font-semibold">Dead letters</h1>;
}
