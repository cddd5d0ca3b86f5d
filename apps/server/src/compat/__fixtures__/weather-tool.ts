/** The one tool the compat tests call: `weather(city)`, in each protocol's shape and as the native API gets it. */
export const WEATHER = {
  name: 'weather',
  description: 'The weather in a city',
  parameters: {
    type: 'object' as const,
    properties: { city: { type: 'string' } },
    required: ['city'],
  },
};

/** The `tools` a native `/api/chat` request carries for {@link WEATHER}. */
export const NATIVE_WEATHER_TOOLS = [
  {
    type: 'function',
    function: { name: WEATHER.name, description: WEATHER.description, parameters: WEATHER.parameters },
  },
];

/**
 * The native messages of a round trip: the question, the assistant's thinking and call `callId` for Oslo,
 * and the tool's answer "sunny" (whose `tool_name` comes from that call).
 */
export function nativeWeatherRoundTrip(callId: string): Record<string, unknown>[] {
  return [
    { role: 'user', content: 'Weather in Oslo?' },
    {
      role: 'assistant',
      content: '',
      thinking: 'Use the tool.',
      tool_calls: [{ id: callId, function: { name: 'weather', arguments: { city: 'Oslo' } } }],
    },
    { role: 'tool', content: 'sunny', tool_call_id: callId, tool_name: 'weather' },
  ];
}
